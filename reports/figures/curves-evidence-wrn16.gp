# evidence-wrn16: test accuracy and training loss per epoch
# Written by `atkd report`. Re-plot with: gnuplot <this folder>/curves-evidence-wrn16.gp
# Data: curves-evidence-wrn16.dat (read relative to this script's folder).
if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1100,450 font "sans,10" noenhanced
        set output "curves-evidence-wrn16.png"
    } else {
        set terminal svg size 1100,450 font "sans,10" noenhanced background "white"
        set output "curves-evidence-wrn16.svg"
    }
    reset
    set datafile missing "nan"
    set multiplot layout 1,2 title "evidence-wrn16: learning curves (mean ± std over seeds)"
    set xlabel "epoch"
    set grid
    set key bottom right
    set ylabel "test top-1 (%)"
    plot "curves-evidence-wrn16.dat" index 0 using 1:($2-$3):($2+$3) with filledcurves fs transparent solid 0.2 noborder lc rgb "#000000" notitle, \
        "curves-evidence-wrn16.dat" index 0 using 1:2 with linespoints pt 7 ps 0.5 lw 2 lc rgb "#000000" title "teacher", \
        "curves-evidence-wrn16.dat" index 1 using 1:($2-$3):($2+$3) with filledcurves fs transparent solid 0.2 noborder lc rgb "#E69F00" notitle, \
        "curves-evidence-wrn16.dat" index 1 using 1:2 with linespoints pt 7 ps 0.5 lw 2 lc rgb "#E69F00" title "ce", \
        "curves-evidence-wrn16.dat" index 2 using 1:($2-$3):($2+$3) with filledcurves fs transparent solid 0.2 noborder lc rgb "#56B4E9" notitle, \
        "curves-evidence-wrn16.dat" index 2 using 1:2 with linespoints pt 7 ps 0.5 lw 2 lc rgb "#56B4E9" title "kd"
    set ylabel "training loss (weighted sum of terms)"
    set key top right
    plot "curves-evidence-wrn16.dat" index 0 using 1:($4-$5):($4+$5) with filledcurves fs transparent solid 0.2 noborder lc rgb "#000000" notitle, \
        "curves-evidence-wrn16.dat" index 0 using 1:4 with linespoints pt 7 ps 0.5 lw 2 lc rgb "#000000" title "teacher", \
        "curves-evidence-wrn16.dat" index 1 using 1:($4-$5):($4+$5) with filledcurves fs transparent solid 0.2 noborder lc rgb "#E69F00" notitle, \
        "curves-evidence-wrn16.dat" index 1 using 1:4 with linespoints pt 7 ps 0.5 lw 2 lc rgb "#E69F00" title "ce", \
        "curves-evidence-wrn16.dat" index 2 using 1:($4-$5):($4+$5) with filledcurves fs transparent solid 0.2 noborder lc rgb "#56B4E9" notitle, \
        "curves-evidence-wrn16.dat" index 2 using 1:4 with linespoints pt 7 ps 0.5 lw 2 lc rgb "#56B4E9" title "kd"
    unset multiplot
    set output
}
