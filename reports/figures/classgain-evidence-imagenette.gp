# evidence-imagenette: per-class accuracy gain over plain KD, 95 % intervals
# Written by `atkd report`. Re-plot with: gnuplot <this folder>/classgain-evidence-imagenette.gp
# Data: classgain-evidence-imagenette.dat (read relative to this script's folder).
if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1000,450 font "sans,10" noenhanced
        set output "classgain-evidence-imagenette.png"
    } else {
        set terminal svg size 1000,450 font "sans,10" noenhanced background "white"
        set output "classgain-evidence-imagenette.svg"
    }
    reset
    set datafile missing "nan"
    set yrange [-20:10]
    set title "evidence-imagenette: per-class top-1 gain over plain KD with 95 % intervals (classes by KD accuracy, hardest first)"
    set style data histograms
    set style histogram errorbars gap 1 lw 1
    set style fill solid 0.7 border -1
    set ylabel "gain over kd (points)"
    set xtics rotate by -35
    set grid ytics
    set key outside right
    plot "classgain-evidence-imagenette.dat" using 4:5:6:xtic(2) lc rgb "#E69F00" title "ce (3 seeds, t)", \
         "classgain-evidence-imagenette.dat" using 8:9:10:xtic(2) lc rgb "#009E73" title "at (3 seeds, t)", \
         "classgain-evidence-imagenette.dat" using 12:13:14:xtic(2) lc rgb "#D55E00" title "atkd (3 seeds, t)", \
         0 with lines lc rgb "#000000" notitle
    unset multiplot
    set output
}
