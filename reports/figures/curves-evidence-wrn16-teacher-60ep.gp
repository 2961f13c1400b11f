# evidence-wrn16-teacher-60ep: learning curves (evaluations, train accuracy, loss and each term)
# Written by `atkd report`. Re-plot with: gnuplot <this folder>/curves-evidence-wrn16-teacher-60ep.gp
# Data: curves-evidence-wrn16-teacher-60ep.dat (read relative to this script's folder).
if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1200,380 font "sans,10" noenhanced
        set output "curves-evidence-wrn16-teacher-60ep.png"
    } else {
        set terminal svg size 1200,380 font "sans,10" noenhanced background "white"
        set output "curves-evidence-wrn16-teacher-60ep.svg"
    }
    reset
    set datafile missing "nan"
    set multiplot title "evidence-wrn16-teacher-60ep: learning curves — training: means over ~1/8 epoch (steps.tsv); mean ± std band where ≥ 2 seeds"
    set grid
    set xlabel "epoch" offset 0,0.3
    set xrange [0:60]
    set key off
    set title "test top-1 (%) at each evaluation" font ",10"
    set ylabel "top-1 (%)"
    set lmargin at screen 0.0617
    set rmargin at screen 0.3200
    set bmargin at screen 0.2579
    set tmargin at screen 0.8263
    plot "curves-evidence-wrn16-teacher-60ep.dat" index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb "#000000" notitle
    set title "train top-1 (%), under augmentation" font ",10"
    set ylabel "top-1 (%)"
    set lmargin at screen 0.3950
    set rmargin at screen 0.6533
    set bmargin at screen 0.2579
    set tmargin at screen 0.8263
    plot "curves-evidence-wrn16-teacher-60ep.dat" index 1 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#000000" notitle
    set title "training loss (Σ weight × term)" font ",10"
    set ylabel "loss"
    set lmargin at screen 0.7283
    set rmargin at screen 0.9867
    set bmargin at screen 0.2579
    set tmargin at screen 0.8263
    plot "curves-evidence-wrn16-teacher-60ep.dat" index 1 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#000000" notitle
    unset title
    unset xlabel
    unset ylabel
    unset grid
    unset border
    unset tics
    set key at screen 0.5, 0.0526 center center horizontal maxrows 1 font ",10" samplen 2 width 2
    set lmargin at screen 0.02
    set rmargin at screen 0.98
    set bmargin at screen 0.001
    set tmargin at screen 0.1053
    set xrange [0:1]
    set yrange [0:1]
    plot 2 notitle, \
         keyentry with linespoints pt 7 lw 2 lc rgb "#000000" title "teacher"
    unset multiplot
    set output
}
