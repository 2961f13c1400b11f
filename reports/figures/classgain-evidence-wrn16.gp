# evidence-wrn16: per-class accuracy gain over plain KD
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
    set title "evidence-wrn16: per-class top-1 gain over plain KD (classes sorted by KD accuracy, hardest first)"
    set style data histograms
    set style histogram clustered gap 1
    set style fill solid 0.7 border -1
    set ylabel "gain over kd (points)"
    set xtics rotate by -35
    set grid ytics
    set key outside right
    plot "classgain-evidence-wrn16.dat" using 3:xtic(1) lc rgb "#E69F00" title "ce", \
         0 with lines lc rgb "#000000" notitle
    unset multiplot
    set output
}
