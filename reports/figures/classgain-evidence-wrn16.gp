# evidence-wrn16: per-class accuracy gain over plain KD, 95 % intervals
# Written by `atkd report`. Re-plot with: gnuplot <this folder>/classgain-evidence-wrn16.gp
# Data: classgain-evidence-wrn16.dat (read relative to this script's folder).
if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1000,450 font "sans,10" noenhanced
        set output "classgain-evidence-wrn16.png"
    } else {
        set terminal svg size 1000,450 font "sans,10" noenhanced background "white"
        set output "classgain-evidence-wrn16.svg"
    }
    reset
    set datafile missing "nan"
    set yrange [-15:10]
    set title "evidence-wrn16: per-class top-1 gain over plain KD with 95 % intervals (classes by KD accuracy, hardest first)"
    set style data histograms
    set style histogram errorbars gap 1 lw 1
    set style fill solid 0.7 border -1
    set ylabel "gain over kd (points)"
    set xtics rotate by -35
    set grid ytics
    set key outside right
    plot "classgain-evidence-wrn16.dat" using 4:5:6:xtic(2) lc rgb "#E69F00" title "ce (3 seeds, t)", \
         "classgain-evidence-wrn16.dat" using 8:9:10:xtic(2) lc rgb "#009E73" title "at (3 seeds, t)", \
         "classgain-evidence-wrn16.dat" using 12:13:14:xtic(2) lc rgb "#D55E00" title "atkd (3 seeds, t)", \
         "classgain-evidence-wrn16.dat" using 16:17:18:xtic(2) lc rgb "#CC79A7" title "dkd (3 seeds, t)", \
         "classgain-evidence-wrn16.dat" using 20:21:22:xtic(2) lc rgb "#0072B2" title "rkd (3 seeds, t)", \
         "classgain-evidence-wrn16.dat" using 24:25:26:xtic(2) lc rgb "#F0E442" title "sp (3 seeds, t)", \
         "classgain-evidence-wrn16.dat" using 28:29:30:xtic(2) lc rgb "#E69F00" title "pkt (3 seeds, t)", \
         "classgain-evidence-wrn16.dat" using 32:33:34:xtic(2) lc rgb "#56B4E9" title "fitnet (3 seeds, t)", \
         "classgain-evidence-wrn16.dat" using 36:37:38:xtic(2) lc rgb "#009E73" title "crd (3 seeds, t)", \
         "classgain-evidence-wrn16.dat" using 40:41:42:xtic(2) lc rgb "#D55E00" title "crdkd (3 seeds, t)", \
         0 with lines lc rgb "#000000" notitle
    unset multiplot
    set output
}
