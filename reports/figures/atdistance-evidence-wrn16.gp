# evidence-wrn16: AT distance to the teacher per tap during training
# Written by `atkd report`. Re-plot with: gnuplot <this folder>/atdistance-evidence-wrn16.gp
# Data: atdistance-evidence-wrn16.dat (read relative to this script's folder).
if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1080,380 font "sans,10" noenhanced
        set output "atdistance-evidence-wrn16.png"
    } else {
        set terminal svg size 1080,380 font "sans,10" noenhanced background "white"
        set output "atdistance-evidence-wrn16.svg"
    }
    reset
    set datafile missing "nan"
    set multiplot layout 1,3 title "evidence-wrn16: AT distance to the teacher per tap during training (32 fixed test images; 0 = the teacher's maps, √2 = disjoint)"
    set grid
    set xlabel "epoch"
    set yrange [0:*]
    set key bottom left font ",9"
    set title "stage1" font ",10"
    set ylabel "AT distance"
    plot "atdistance-evidence-wrn16.dat" index 0 using 1:($3-$4):($3+$4) with filledcurves fs transparent solid 0.18 noborder lc rgb "#56B4E9" notitle, \
         "atdistance-evidence-wrn16.dat" index 0 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#56B4E9" title "kd (2 seeds)", \
         "atdistance-evidence-wrn16.dat" index 1 using 1:($3-$4):($3+$4) with filledcurves fs transparent solid 0.18 noborder lc rgb "#009E73" notitle, \
         "atdistance-evidence-wrn16.dat" index 1 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#009E73" title "at (2 seeds)", \
         "atdistance-evidence-wrn16.dat" index 2 using 1:($3-$4):($3+$4) with filledcurves fs transparent solid 0.18 noborder lc rgb "#D55E00" notitle, \
         "atdistance-evidence-wrn16.dat" index 2 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" title "atkd (3 seeds)", \
         "atdistance-evidence-wrn16.dat" index 3 using 1:($3-$4):($3+$4) with filledcurves fs transparent solid 0.18 noborder lc rgb "#CC79A7" notitle, \
         "atdistance-evidence-wrn16.dat" index 3 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#CC79A7" title "dkd (3 seeds)", \
         "atdistance-evidence-wrn16.dat" index 4 using 1:($3-$4):($3+$4) with filledcurves fs transparent solid 0.18 noborder lc rgb "#0072B2" notitle, \
         "atdistance-evidence-wrn16.dat" index 4 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#0072B2" title "rkd (3 seeds)", \
         "atdistance-evidence-wrn16.dat" index 5 using 1:($3-$4):($3+$4) with filledcurves fs transparent solid 0.18 noborder lc rgb "#F0E442" notitle, \
         "atdistance-evidence-wrn16.dat" index 5 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#F0E442" title "sp (3 seeds)", \
         "atdistance-evidence-wrn16.dat" index 6 using 1:($3-$4):($3+$4) with filledcurves fs transparent solid 0.18 noborder lc rgb "#E69F00" notitle, \
         "atdistance-evidence-wrn16.dat" index 6 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#E69F00" title "pkt (3 seeds)", \
         "atdistance-evidence-wrn16.dat" index 7 using 1:($3-$4):($3+$4) with filledcurves fs transparent solid 0.18 noborder lc rgb "#56B4E9" notitle, \
         "atdistance-evidence-wrn16.dat" index 7 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#56B4E9" title "fitnet (3 seeds)", \
         "atdistance-evidence-wrn16.dat" index 8 using 1:($3-$4):($3+$4) with filledcurves fs transparent solid 0.18 noborder lc rgb "#009E73" notitle, \
         "atdistance-evidence-wrn16.dat" index 8 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#009E73" title "crd (3 seeds)", \
         "atdistance-evidence-wrn16.dat" index 9 using 1:($3-$4):($3+$4) with filledcurves fs transparent solid 0.18 noborder lc rgb "#D55E00" notitle, \
         "atdistance-evidence-wrn16.dat" index 9 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" title "crdkd (3 seeds)"
    set title "stage2" font ",10"
    set ylabel ""
    set key off
    plot "atdistance-evidence-wrn16.dat" index 0 using 1:($5-$6):($5+$6) with filledcurves fs transparent solid 0.18 noborder lc rgb "#56B4E9" notitle, \
         "atdistance-evidence-wrn16.dat" index 0 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#56B4E9" title "kd (2 seeds)", \
         "atdistance-evidence-wrn16.dat" index 1 using 1:($5-$6):($5+$6) with filledcurves fs transparent solid 0.18 noborder lc rgb "#009E73" notitle, \
         "atdistance-evidence-wrn16.dat" index 1 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#009E73" title "at (2 seeds)", \
         "atdistance-evidence-wrn16.dat" index 2 using 1:($5-$6):($5+$6) with filledcurves fs transparent solid 0.18 noborder lc rgb "#D55E00" notitle, \
         "atdistance-evidence-wrn16.dat" index 2 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" title "atkd (3 seeds)", \
         "atdistance-evidence-wrn16.dat" index 3 using 1:($5-$6):($5+$6) with filledcurves fs transparent solid 0.18 noborder lc rgb "#CC79A7" notitle, \
         "atdistance-evidence-wrn16.dat" index 3 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#CC79A7" title "dkd (3 seeds)", \
         "atdistance-evidence-wrn16.dat" index 4 using 1:($5-$6):($5+$6) with filledcurves fs transparent solid 0.18 noborder lc rgb "#0072B2" notitle, \
         "atdistance-evidence-wrn16.dat" index 4 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#0072B2" title "rkd (3 seeds)", \
         "atdistance-evidence-wrn16.dat" index 5 using 1:($5-$6):($5+$6) with filledcurves fs transparent solid 0.18 noborder lc rgb "#F0E442" notitle, \
         "atdistance-evidence-wrn16.dat" index 5 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#F0E442" title "sp (3 seeds)", \
         "atdistance-evidence-wrn16.dat" index 6 using 1:($5-$6):($5+$6) with filledcurves fs transparent solid 0.18 noborder lc rgb "#E69F00" notitle, \
         "atdistance-evidence-wrn16.dat" index 6 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#E69F00" title "pkt (3 seeds)", \
         "atdistance-evidence-wrn16.dat" index 7 using 1:($5-$6):($5+$6) with filledcurves fs transparent solid 0.18 noborder lc rgb "#56B4E9" notitle, \
         "atdistance-evidence-wrn16.dat" index 7 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#56B4E9" title "fitnet (3 seeds)", \
         "atdistance-evidence-wrn16.dat" index 8 using 1:($5-$6):($5+$6) with filledcurves fs transparent solid 0.18 noborder lc rgb "#009E73" notitle, \
         "atdistance-evidence-wrn16.dat" index 8 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#009E73" title "crd (3 seeds)", \
         "atdistance-evidence-wrn16.dat" index 9 using 1:($5-$6):($5+$6) with filledcurves fs transparent solid 0.18 noborder lc rgb "#D55E00" notitle, \
         "atdistance-evidence-wrn16.dat" index 9 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" title "crdkd (3 seeds)"
    set title "stage3" font ",10"
    set ylabel ""
    set key off
    plot "atdistance-evidence-wrn16.dat" index 0 using 1:($7-$8):($7+$8) with filledcurves fs transparent solid 0.18 noborder lc rgb "#56B4E9" notitle, \
         "atdistance-evidence-wrn16.dat" index 0 using 1:7 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#56B4E9" title "kd (2 seeds)", \
         "atdistance-evidence-wrn16.dat" index 1 using 1:($7-$8):($7+$8) with filledcurves fs transparent solid 0.18 noborder lc rgb "#009E73" notitle, \
         "atdistance-evidence-wrn16.dat" index 1 using 1:7 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#009E73" title "at (2 seeds)", \
         "atdistance-evidence-wrn16.dat" index 2 using 1:($7-$8):($7+$8) with filledcurves fs transparent solid 0.18 noborder lc rgb "#D55E00" notitle, \
         "atdistance-evidence-wrn16.dat" index 2 using 1:7 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" title "atkd (3 seeds)", \
         "atdistance-evidence-wrn16.dat" index 3 using 1:($7-$8):($7+$8) with filledcurves fs transparent solid 0.18 noborder lc rgb "#CC79A7" notitle, \
         "atdistance-evidence-wrn16.dat" index 3 using 1:7 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#CC79A7" title "dkd (3 seeds)", \
         "atdistance-evidence-wrn16.dat" index 4 using 1:($7-$8):($7+$8) with filledcurves fs transparent solid 0.18 noborder lc rgb "#0072B2" notitle, \
         "atdistance-evidence-wrn16.dat" index 4 using 1:7 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#0072B2" title "rkd (3 seeds)", \
         "atdistance-evidence-wrn16.dat" index 5 using 1:($7-$8):($7+$8) with filledcurves fs transparent solid 0.18 noborder lc rgb "#F0E442" notitle, \
         "atdistance-evidence-wrn16.dat" index 5 using 1:7 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#F0E442" title "sp (3 seeds)", \
         "atdistance-evidence-wrn16.dat" index 6 using 1:($7-$8):($7+$8) with filledcurves fs transparent solid 0.18 noborder lc rgb "#E69F00" notitle, \
         "atdistance-evidence-wrn16.dat" index 6 using 1:7 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#E69F00" title "pkt (3 seeds)", \
         "atdistance-evidence-wrn16.dat" index 7 using 1:($7-$8):($7+$8) with filledcurves fs transparent solid 0.18 noborder lc rgb "#56B4E9" notitle, \
         "atdistance-evidence-wrn16.dat" index 7 using 1:7 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#56B4E9" title "fitnet (3 seeds)", \
         "atdistance-evidence-wrn16.dat" index 8 using 1:($7-$8):($7+$8) with filledcurves fs transparent solid 0.18 noborder lc rgb "#009E73" notitle, \
         "atdistance-evidence-wrn16.dat" index 8 using 1:7 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#009E73" title "crd (3 seeds)", \
         "atdistance-evidence-wrn16.dat" index 9 using 1:($7-$8):($7+$8) with filledcurves fs transparent solid 0.18 noborder lc rgb "#D55E00" notitle, \
         "atdistance-evidence-wrn16.dat" index 9 using 1:7 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" title "crdkd (3 seeds)"
    
    unset multiplot
    set output
}
