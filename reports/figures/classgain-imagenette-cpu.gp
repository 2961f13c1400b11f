# imagenette-cpu: per-class accuracy gain over plain KD
# Written by `atkd report`. Re-plot with: gnuplot <this folder>/classgain-imagenette-cpu.gp
# Data: classgain-imagenette-cpu.dat (read relative to this script's folder).
if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1000,450 font "sans,10" noenhanced
        set output "classgain-imagenette-cpu.png"
    } else {
        set terminal svg size 1000,450 font "sans,10" noenhanced background "white"
        set output "classgain-imagenette-cpu.svg"
    }
    reset
    set datafile missing "nan"
    set title "imagenette-cpu: per-class top-1 gain over plain KD (classes sorted by KD accuracy, hardest first)"
    set style data histograms
    set style histogram clustered gap 1
    set style fill solid 0.7 border -1
    set ylabel "gain over kd (points)"
    set xtics rotate by -35
    set grid ytics
    set key outside right
    plot "classgain-imagenette-cpu.dat" using 3:xtic(1) lc rgb "#E69F00" title "ce", \
         "classgain-imagenette-cpu.dat" using 4:xtic(1) lc rgb "#009E73" title "at", \
         "classgain-imagenette-cpu.dat" using 5:xtic(1) lc rgb "#D55E00" title "atkd", \
         0 with lines lc rgb "#000000" notitle
    unset multiplot
    set output
}
