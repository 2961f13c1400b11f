# cifar-cpu: test accuracy and training loss per epoch
# Written by `atkd report`. Re-plot with: gnuplot <this folder>/curves-cifar-cpu.gp
# Data: curves-cifar-cpu.dat (read relative to this script's folder).
if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1100,450 font "sans,10" noenhanced
        set output "curves-cifar-cpu.png"
    } else {
        set terminal svg size 1100,450 font "sans,10" noenhanced background "white"
        set output "curves-cifar-cpu.svg"
    }
    reset
    set datafile missing "nan"
    set multiplot layout 1,2 title "cifar-cpu: learning curves (mean ± std over seeds)"
    set xlabel "epoch"
    set grid
    set key bottom right
    set ylabel "test top-1 (%)"
    plot "curves-cifar-cpu.dat" index 0 using 1:($2-$3):($2+$3) with filledcurves fs transparent solid 0.2 noborder lc rgb "#000000" notitle, \
        "curves-cifar-cpu.dat" index 0 using 1:2 with linespoints pt 7 ps 0.5 lw 2 lc rgb "#000000" title "teacher", \
        "curves-cifar-cpu.dat" index 1 using 1:($2-$3):($2+$3) with filledcurves fs transparent solid 0.2 noborder lc rgb "#E69F00" notitle, \
        "curves-cifar-cpu.dat" index 1 using 1:2 with linespoints pt 7 ps 0.5 lw 2 lc rgb "#E69F00" title "ce", \
        "curves-cifar-cpu.dat" index 2 using 1:($2-$3):($2+$3) with filledcurves fs transparent solid 0.2 noborder lc rgb "#56B4E9" notitle, \
        "curves-cifar-cpu.dat" index 2 using 1:2 with linespoints pt 7 ps 0.5 lw 2 lc rgb "#56B4E9" title "kd", \
        "curves-cifar-cpu.dat" index 3 using 1:($2-$3):($2+$3) with filledcurves fs transparent solid 0.2 noborder lc rgb "#009E73" notitle, \
        "curves-cifar-cpu.dat" index 3 using 1:2 with linespoints pt 7 ps 0.5 lw 2 lc rgb "#009E73" title "at", \
        "curves-cifar-cpu.dat" index 4 using 1:($2-$3):($2+$3) with filledcurves fs transparent solid 0.2 noborder lc rgb "#D55E00" notitle, \
        "curves-cifar-cpu.dat" index 4 using 1:2 with linespoints pt 7 ps 0.5 lw 2 lc rgb "#D55E00" title "atkd"
    set ylabel "training loss (weighted sum of terms)"
    set key top right
    plot "curves-cifar-cpu.dat" index 0 using 1:($4-$5):($4+$5) with filledcurves fs transparent solid 0.2 noborder lc rgb "#000000" notitle, \
        "curves-cifar-cpu.dat" index 0 using 1:4 with linespoints pt 7 ps 0.5 lw 2 lc rgb "#000000" title "teacher", \
        "curves-cifar-cpu.dat" index 1 using 1:($4-$5):($4+$5) with filledcurves fs transparent solid 0.2 noborder lc rgb "#E69F00" notitle, \
        "curves-cifar-cpu.dat" index 1 using 1:4 with linespoints pt 7 ps 0.5 lw 2 lc rgb "#E69F00" title "ce", \
        "curves-cifar-cpu.dat" index 2 using 1:($4-$5):($4+$5) with filledcurves fs transparent solid 0.2 noborder lc rgb "#56B4E9" notitle, \
        "curves-cifar-cpu.dat" index 2 using 1:4 with linespoints pt 7 ps 0.5 lw 2 lc rgb "#56B4E9" title "kd", \
        "curves-cifar-cpu.dat" index 3 using 1:($4-$5):($4+$5) with filledcurves fs transparent solid 0.2 noborder lc rgb "#009E73" notitle, \
        "curves-cifar-cpu.dat" index 3 using 1:4 with linespoints pt 7 ps 0.5 lw 2 lc rgb "#009E73" title "at", \
        "curves-cifar-cpu.dat" index 4 using 1:($4-$5):($4+$5) with filledcurves fs transparent solid 0.2 noborder lc rgb "#D55E00" notitle, \
        "curves-cifar-cpu.dat" index 4 using 1:4 with linespoints pt 7 ps 0.5 lw 2 lc rgb "#D55E00" title "atkd"
    unset multiplot
    set output
}
