# evidence-wrn16-bf16-amx: learning curves (evaluations, train accuracy, loss and each term)
# Written by `atkd report`. Re-plot with: gnuplot <this folder>/curves-evidence-wrn16-bf16-amx.gp
# Data: curves-evidence-wrn16-bf16-amx.dat (read relative to this script's folder).
if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1200,680 font "sans,10" noenhanced
        set output "curves-evidence-wrn16-bf16-amx.png"
    } else {
        set terminal svg size 1200,680 font "sans,10" noenhanced background "white"
        set output "curves-evidence-wrn16-bf16-amx.svg"
    }
    reset
    set datafile missing "nan"
    set multiplot title "evidence-wrn16-bf16-amx: learning curves — training: means over ~1/8 epoch (steps.tsv); mean ± std band where ≥ 2 seeds"
    set grid
    set xlabel "epoch" offset 0,0.3
    set xrange [0:15]
    set key off
    set title "test top-1 (%) at each evaluation; dotted: teacher 89.07" font ",10"
    set ylabel "top-1 (%)"
    set lmargin at screen 0.0617
    set rmargin at screen 0.3200
    set bmargin at screen 0.5853
    set tmargin at screen 0.9029
    plot "curves-evidence-wrn16-bf16-amx.dat" index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb "#D55E00" notitle, \
         89.07 with lines dt 3 lw 1.5 lc rgb "#000000" notitle
    set title "train top-1 (%), under augmentation" font ",10"
    set ylabel "top-1 (%)"
    set lmargin at screen 0.3950
    set rmargin at screen 0.6533
    set bmargin at screen 0.5853
    set tmargin at screen 0.9029
    plot "curves-evidence-wrn16-bf16-amx.dat" index 1 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" notitle
    set title "training loss (Σ weight × term)" font ",10"
    set ylabel "loss"
    set lmargin at screen 0.7283
    set rmargin at screen 0.9867
    set bmargin at screen 0.5853
    set tmargin at screen 0.9029
    plot "curves-evidence-wrn16-bf16-amx.dat" index 1 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" notitle
    set title "term at (unweighted)" font ",10"
    set ylabel ""
    set lmargin at screen 0.0617
    set rmargin at screen 0.3200
    set bmargin at screen 0.1441
    set tmargin at screen 0.4618
    plot "curves-evidence-wrn16-bf16-amx.dat" index 1 using 1:7 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" notitle
    set title "term ce (unweighted)" font ",10"
    set ylabel ""
    set lmargin at screen 0.3950
    set rmargin at screen 0.6533
    set bmargin at screen 0.1441
    set tmargin at screen 0.4618
    plot "curves-evidence-wrn16-bf16-amx.dat" index 1 using 1:9 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" notitle
    set title "term kd (unweighted)" font ",10"
    set ylabel ""
    set lmargin at screen 0.7283
    set rmargin at screen 0.9867
    set bmargin at screen 0.1441
    set tmargin at screen 0.4618
    plot "curves-evidence-wrn16-bf16-amx.dat" index 1 using 1:11 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" notitle
    unset title
    unset xlabel
    unset ylabel
    unset grid
    unset border
    unset tics
    set key at screen 0.5, 0.0294 center center horizontal maxrows 1 font ",10" samplen 2 width 2
    set lmargin at screen 0.02
    set rmargin at screen 0.98
    set bmargin at screen 0.001
    set tmargin at screen 0.0588
    set xrange [0:1]
    set yrange [0:1]
    plot 2 notitle, \
         keyentry with linespoints pt 7 lw 2 lc rgb "#D55E00" title "atkd (1 seed)"
    unset multiplot
    set output
}
