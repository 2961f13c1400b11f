# evidence-imagenette-beta1000: AT distance to the teacher per tap during training
# Written by `atkd report`. Re-plot with: gnuplot <this folder>/atdistance-evidence-imagenette-beta1000.gp
# Data: atdistance-evidence-imagenette-beta1000.dat (read relative to this script's folder).
if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1440,380 font "sans,10" noenhanced
        set output "atdistance-evidence-imagenette-beta1000.png"
    } else {
        set terminal svg size 1440,380 font "sans,10" noenhanced background "white"
        set output "atdistance-evidence-imagenette-beta1000.svg"
    }
    reset
    set datafile missing "nan"
    set multiplot layout 1,4 title "evidence-imagenette-beta1000: AT distance to the teacher per tap during training (32 fixed test images; 0 = the teacher's maps, √2 = disjoint)"
    set grid
    set xlabel "epoch"
    set yrange [0:*]
    set key bottom left font ",9"
    set title "stage1" font ",10"
    set ylabel "AT distance"
    plot "atdistance-evidence-imagenette-beta1000.dat" index 0 using 1:($3-$4):($3+$4) with filledcurves fs transparent solid 0.18 noborder lc rgb "#D55E00" notitle, \
         "atdistance-evidence-imagenette-beta1000.dat" index 0 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" title "atkd (3 seeds)"
    set title "stage2" font ",10"
    set ylabel ""
    set key off
    plot "atdistance-evidence-imagenette-beta1000.dat" index 0 using 1:($5-$6):($5+$6) with filledcurves fs transparent solid 0.18 noborder lc rgb "#D55E00" notitle, \
         "atdistance-evidence-imagenette-beta1000.dat" index 0 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" title "atkd (3 seeds)"
    set title "stage3" font ",10"
    set ylabel ""
    set key off
    plot "atdistance-evidence-imagenette-beta1000.dat" index 0 using 1:($7-$8):($7+$8) with filledcurves fs transparent solid 0.18 noborder lc rgb "#D55E00" notitle, \
         "atdistance-evidence-imagenette-beta1000.dat" index 0 using 1:7 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" title "atkd (3 seeds)"
    set title "stage4" font ",10"
    set ylabel ""
    set key off
    plot "atdistance-evidence-imagenette-beta1000.dat" index 0 using 1:($9-$10):($9+$10) with filledcurves fs transparent solid 0.18 noborder lc rgb "#D55E00" notitle, \
         "atdistance-evidence-imagenette-beta1000.dat" index 0 using 1:9 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" title "atkd (3 seeds)"
    
    unset multiplot
    set output
}
