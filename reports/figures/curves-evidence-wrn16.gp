# evidence-wrn16: learning curves (evaluations, train accuracy, loss and each term)
# Written by `atkd report`. Re-plot with: gnuplot <this folder>/curves-evidence-wrn16.gp
# Data: curves-evidence-wrn16.dat (read relative to this script's folder).
if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1200,1580 font "sans,10" noenhanced
        set output "curves-evidence-wrn16.png"
    } else {
        set terminal svg size 1200,1580 font "sans,10" noenhanced background "white"
        set output "curves-evidence-wrn16.svg"
    }
    reset
    set datafile missing "nan"
    set multiplot title "evidence-wrn16: learning curves — training: means over ~1/8 epoch (steps.tsv); mean ± std band where ≥ 2 seeds"
    set grid
    set xlabel "epoch" offset 0,0.3
    set xrange [0:15]
    set key off
    set title "test top-1 (%) at each evaluation; dotted: teacher 89.06" font ",10"
    set ylabel "top-1 (%)"
    set lmargin at screen 0.0617
    set rmargin at screen 0.3200
    set bmargin at screen 0.8215
    set tmargin at screen 0.9582
    plot "curves-evidence-wrn16.dat" index 0 using 1:($2-$3):($2+$3) with filledcurves fs transparent solid 0.18 noborder lc rgb "#E69F00" notitle, \
         "curves-evidence-wrn16.dat" index 0 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb "#E69F00" notitle, \
         "curves-evidence-wrn16.dat" index 2 using 1:($2-$3):($2+$3) with filledcurves fs transparent solid 0.18 noborder lc rgb "#56B4E9" notitle, \
         "curves-evidence-wrn16.dat" index 2 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb "#56B4E9" notitle, \
         "curves-evidence-wrn16.dat" index 4 using 1:($2-$3):($2+$3) with filledcurves fs transparent solid 0.18 noborder lc rgb "#009E73" notitle, \
         "curves-evidence-wrn16.dat" index 4 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb "#009E73" notitle, \
         "curves-evidence-wrn16.dat" index 6 using 1:($2-$3):($2+$3) with filledcurves fs transparent solid 0.18 noborder lc rgb "#D55E00" notitle, \
         "curves-evidence-wrn16.dat" index 6 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb "#D55E00" notitle, \
         "curves-evidence-wrn16.dat" index 8 using 1:($2-$3):($2+$3) with filledcurves fs transparent solid 0.18 noborder lc rgb "#CC79A7" notitle, \
         "curves-evidence-wrn16.dat" index 8 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb "#CC79A7" notitle, \
         "curves-evidence-wrn16.dat" index 10 using 1:($2-$3):($2+$3) with filledcurves fs transparent solid 0.18 noborder lc rgb "#0072B2" notitle, \
         "curves-evidence-wrn16.dat" index 10 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb "#0072B2" notitle, \
         "curves-evidence-wrn16.dat" index 12 using 1:($2-$3):($2+$3) with filledcurves fs transparent solid 0.18 noborder lc rgb "#F0E442" notitle, \
         "curves-evidence-wrn16.dat" index 12 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb "#F0E442" notitle, \
         "curves-evidence-wrn16.dat" index 14 using 1:($2-$3):($2+$3) with filledcurves fs transparent solid 0.18 noborder lc rgb "#E69F00" notitle, \
         "curves-evidence-wrn16.dat" index 14 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb "#E69F00" notitle, \
         "curves-evidence-wrn16.dat" index 16 using 1:($2-$3):($2+$3) with filledcurves fs transparent solid 0.18 noborder lc rgb "#56B4E9" notitle, \
         "curves-evidence-wrn16.dat" index 16 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb "#56B4E9" notitle, \
         "curves-evidence-wrn16.dat" index 18 using 1:($2-$3):($2+$3) with filledcurves fs transparent solid 0.18 noborder lc rgb "#009E73" notitle, \
         "curves-evidence-wrn16.dat" index 18 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb "#009E73" notitle, \
         "curves-evidence-wrn16.dat" index 20 using 1:($2-$3):($2+$3) with filledcurves fs transparent solid 0.18 noborder lc rgb "#D55E00" notitle, \
         "curves-evidence-wrn16.dat" index 20 using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb "#D55E00" notitle, \
         89.06 with lines dt 3 lw 1.5 lc rgb "#000000" notitle
    set title "train top-1 (%), under augmentation" font ",10"
    set ylabel "top-1 (%)"
    set lmargin at screen 0.3950
    set rmargin at screen 0.6533
    set bmargin at screen 0.8215
    set tmargin at screen 0.9582
    plot "curves-evidence-wrn16.dat" index 1 using 1:($3-$4):($3+$4) with filledcurves fs transparent solid 0.18 noborder lc rgb "#E69F00" notitle, \
         "curves-evidence-wrn16.dat" index 1 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#E69F00" notitle, \
         "curves-evidence-wrn16.dat" index 3 using 1:($3-$4):($3+$4) with filledcurves fs transparent solid 0.18 noborder lc rgb "#56B4E9" notitle, \
         "curves-evidence-wrn16.dat" index 3 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#56B4E9" notitle, \
         "curves-evidence-wrn16.dat" index 5 using 1:($3-$4):($3+$4) with filledcurves fs transparent solid 0.18 noborder lc rgb "#009E73" notitle, \
         "curves-evidence-wrn16.dat" index 5 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#009E73" notitle, \
         "curves-evidence-wrn16.dat" index 7 using 1:($3-$4):($3+$4) with filledcurves fs transparent solid 0.18 noborder lc rgb "#D55E00" notitle, \
         "curves-evidence-wrn16.dat" index 7 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" notitle, \
         "curves-evidence-wrn16.dat" index 9 using 1:($3-$4):($3+$4) with filledcurves fs transparent solid 0.18 noborder lc rgb "#CC79A7" notitle, \
         "curves-evidence-wrn16.dat" index 9 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#CC79A7" notitle, \
         "curves-evidence-wrn16.dat" index 11 using 1:($3-$4):($3+$4) with filledcurves fs transparent solid 0.18 noborder lc rgb "#0072B2" notitle, \
         "curves-evidence-wrn16.dat" index 11 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#0072B2" notitle, \
         "curves-evidence-wrn16.dat" index 13 using 1:($3-$4):($3+$4) with filledcurves fs transparent solid 0.18 noborder lc rgb "#F0E442" notitle, \
         "curves-evidence-wrn16.dat" index 13 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#F0E442" notitle, \
         "curves-evidence-wrn16.dat" index 15 using 1:($3-$4):($3+$4) with filledcurves fs transparent solid 0.18 noborder lc rgb "#E69F00" notitle, \
         "curves-evidence-wrn16.dat" index 15 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#E69F00" notitle, \
         "curves-evidence-wrn16.dat" index 17 using 1:($3-$4):($3+$4) with filledcurves fs transparent solid 0.18 noborder lc rgb "#56B4E9" notitle, \
         "curves-evidence-wrn16.dat" index 17 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#56B4E9" notitle, \
         "curves-evidence-wrn16.dat" index 19 using 1:($3-$4):($3+$4) with filledcurves fs transparent solid 0.18 noborder lc rgb "#009E73" notitle, \
         "curves-evidence-wrn16.dat" index 19 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#009E73" notitle, \
         "curves-evidence-wrn16.dat" index 21 using 1:($3-$4):($3+$4) with filledcurves fs transparent solid 0.18 noborder lc rgb "#D55E00" notitle, \
         "curves-evidence-wrn16.dat" index 21 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" notitle
    set title "training loss (Σ weight × term)" font ",10"
    set ylabel "loss"
    set lmargin at screen 0.7283
    set rmargin at screen 0.9867
    set bmargin at screen 0.8215
    set tmargin at screen 0.9582
    plot "curves-evidence-wrn16.dat" index 1 using 1:($5-$6):($5+$6) with filledcurves fs transparent solid 0.18 noborder lc rgb "#E69F00" notitle, \
         "curves-evidence-wrn16.dat" index 1 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#E69F00" notitle, \
         "curves-evidence-wrn16.dat" index 3 using 1:($5-$6):($5+$6) with filledcurves fs transparent solid 0.18 noborder lc rgb "#56B4E9" notitle, \
         "curves-evidence-wrn16.dat" index 3 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#56B4E9" notitle, \
         "curves-evidence-wrn16.dat" index 5 using 1:($5-$6):($5+$6) with filledcurves fs transparent solid 0.18 noborder lc rgb "#009E73" notitle, \
         "curves-evidence-wrn16.dat" index 5 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#009E73" notitle, \
         "curves-evidence-wrn16.dat" index 7 using 1:($5-$6):($5+$6) with filledcurves fs transparent solid 0.18 noborder lc rgb "#D55E00" notitle, \
         "curves-evidence-wrn16.dat" index 7 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" notitle, \
         "curves-evidence-wrn16.dat" index 9 using 1:($5-$6):($5+$6) with filledcurves fs transparent solid 0.18 noborder lc rgb "#CC79A7" notitle, \
         "curves-evidence-wrn16.dat" index 9 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#CC79A7" notitle, \
         "curves-evidence-wrn16.dat" index 11 using 1:($5-$6):($5+$6) with filledcurves fs transparent solid 0.18 noborder lc rgb "#0072B2" notitle, \
         "curves-evidence-wrn16.dat" index 11 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#0072B2" notitle, \
         "curves-evidence-wrn16.dat" index 13 using 1:($5-$6):($5+$6) with filledcurves fs transparent solid 0.18 noborder lc rgb "#F0E442" notitle, \
         "curves-evidence-wrn16.dat" index 13 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#F0E442" notitle, \
         "curves-evidence-wrn16.dat" index 15 using 1:($5-$6):($5+$6) with filledcurves fs transparent solid 0.18 noborder lc rgb "#E69F00" notitle, \
         "curves-evidence-wrn16.dat" index 15 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#E69F00" notitle, \
         "curves-evidence-wrn16.dat" index 17 using 1:($5-$6):($5+$6) with filledcurves fs transparent solid 0.18 noborder lc rgb "#56B4E9" notitle, \
         "curves-evidence-wrn16.dat" index 17 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#56B4E9" notitle, \
         "curves-evidence-wrn16.dat" index 19 using 1:($5-$6):($5+$6) with filledcurves fs transparent solid 0.18 noborder lc rgb "#009E73" notitle, \
         "curves-evidence-wrn16.dat" index 19 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#009E73" notitle, \
         "curves-evidence-wrn16.dat" index 21 using 1:($5-$6):($5+$6) with filledcurves fs transparent solid 0.18 noborder lc rgb "#D55E00" notitle, \
         "curves-evidence-wrn16.dat" index 21 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" notitle
    set title "term at (unweighted)" font ",10"
    set ylabel ""
    set lmargin at screen 0.0617
    set rmargin at screen 0.3200
    set bmargin at screen 0.6316
    set tmargin at screen 0.7684
    plot "curves-evidence-wrn16.dat" index 5 using 1:($7-$8):($7+$8) with filledcurves fs transparent solid 0.18 noborder lc rgb "#009E73" notitle, \
         "curves-evidence-wrn16.dat" index 5 using 1:7 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#009E73" notitle, \
         "curves-evidence-wrn16.dat" index 7 using 1:($7-$8):($7+$8) with filledcurves fs transparent solid 0.18 noborder lc rgb "#D55E00" notitle, \
         "curves-evidence-wrn16.dat" index 7 using 1:7 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" notitle
    set title "term ce (unweighted)" font ",10"
    set ylabel ""
    set lmargin at screen 0.3950
    set rmargin at screen 0.6533
    set bmargin at screen 0.6316
    set tmargin at screen 0.7684
    plot "curves-evidence-wrn16.dat" index 1 using 1:($9-$10):($9+$10) with filledcurves fs transparent solid 0.18 noborder lc rgb "#E69F00" notitle, \
         "curves-evidence-wrn16.dat" index 1 using 1:9 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#E69F00" notitle, \
         "curves-evidence-wrn16.dat" index 3 using 1:($9-$10):($9+$10) with filledcurves fs transparent solid 0.18 noborder lc rgb "#56B4E9" notitle, \
         "curves-evidence-wrn16.dat" index 3 using 1:9 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#56B4E9" notitle, \
         "curves-evidence-wrn16.dat" index 5 using 1:($9-$10):($9+$10) with filledcurves fs transparent solid 0.18 noborder lc rgb "#009E73" notitle, \
         "curves-evidence-wrn16.dat" index 5 using 1:9 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#009E73" notitle, \
         "curves-evidence-wrn16.dat" index 7 using 1:($9-$10):($9+$10) with filledcurves fs transparent solid 0.18 noborder lc rgb "#D55E00" notitle, \
         "curves-evidence-wrn16.dat" index 7 using 1:9 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" notitle, \
         "curves-evidence-wrn16.dat" index 9 using 1:($9-$10):($9+$10) with filledcurves fs transparent solid 0.18 noborder lc rgb "#CC79A7" notitle, \
         "curves-evidence-wrn16.dat" index 9 using 1:9 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#CC79A7" notitle, \
         "curves-evidence-wrn16.dat" index 11 using 1:($9-$10):($9+$10) with filledcurves fs transparent solid 0.18 noborder lc rgb "#0072B2" notitle, \
         "curves-evidence-wrn16.dat" index 11 using 1:9 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#0072B2" notitle, \
         "curves-evidence-wrn16.dat" index 13 using 1:($9-$10):($9+$10) with filledcurves fs transparent solid 0.18 noborder lc rgb "#F0E442" notitle, \
         "curves-evidence-wrn16.dat" index 13 using 1:9 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#F0E442" notitle, \
         "curves-evidence-wrn16.dat" index 15 using 1:($9-$10):($9+$10) with filledcurves fs transparent solid 0.18 noborder lc rgb "#E69F00" notitle, \
         "curves-evidence-wrn16.dat" index 15 using 1:9 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#E69F00" notitle, \
         "curves-evidence-wrn16.dat" index 17 using 1:($9-$10):($9+$10) with filledcurves fs transparent solid 0.18 noborder lc rgb "#56B4E9" notitle, \
         "curves-evidence-wrn16.dat" index 17 using 1:9 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#56B4E9" notitle, \
         "curves-evidence-wrn16.dat" index 19 using 1:($9-$10):($9+$10) with filledcurves fs transparent solid 0.18 noborder lc rgb "#009E73" notitle, \
         "curves-evidence-wrn16.dat" index 19 using 1:9 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#009E73" notitle, \
         "curves-evidence-wrn16.dat" index 21 using 1:($9-$10):($9+$10) with filledcurves fs transparent solid 0.18 noborder lc rgb "#D55E00" notitle, \
         "curves-evidence-wrn16.dat" index 21 using 1:9 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" notitle
    set title "term crd (unweighted)" font ",10"
    set ylabel ""
    set lmargin at screen 0.7283
    set rmargin at screen 0.9867
    set bmargin at screen 0.6316
    set tmargin at screen 0.7684
    plot "curves-evidence-wrn16.dat" index 19 using 1:($11-$12):($11+$12) with filledcurves fs transparent solid 0.18 noborder lc rgb "#009E73" notitle, \
         "curves-evidence-wrn16.dat" index 19 using 1:11 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#009E73" notitle, \
         "curves-evidence-wrn16.dat" index 21 using 1:($11-$12):($11+$12) with filledcurves fs transparent solid 0.18 noborder lc rgb "#D55E00" notitle, \
         "curves-evidence-wrn16.dat" index 21 using 1:11 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" notitle
    set title "term hint (unweighted)" font ",10"
    set ylabel ""
    set lmargin at screen 0.0617
    set rmargin at screen 0.3200
    set bmargin at screen 0.4418
    set tmargin at screen 0.5785
    plot "curves-evidence-wrn16.dat" index 17 using 1:($13-$14):($13+$14) with filledcurves fs transparent solid 0.18 noborder lc rgb "#56B4E9" notitle, \
         "curves-evidence-wrn16.dat" index 17 using 1:13 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#56B4E9" notitle
    set title "term kd (unweighted)" font ",10"
    set ylabel ""
    set lmargin at screen 0.3950
    set rmargin at screen 0.6533
    set bmargin at screen 0.4418
    set tmargin at screen 0.5785
    plot "curves-evidence-wrn16.dat" index 3 using 1:($15-$16):($15+$16) with filledcurves fs transparent solid 0.18 noborder lc rgb "#56B4E9" notitle, \
         "curves-evidence-wrn16.dat" index 3 using 1:15 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#56B4E9" notitle, \
         "curves-evidence-wrn16.dat" index 7 using 1:($15-$16):($15+$16) with filledcurves fs transparent solid 0.18 noborder lc rgb "#D55E00" notitle, \
         "curves-evidence-wrn16.dat" index 7 using 1:15 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" notitle, \
         "curves-evidence-wrn16.dat" index 21 using 1:($15-$16):($15+$16) with filledcurves fs transparent solid 0.18 noborder lc rgb "#D55E00" notitle, \
         "curves-evidence-wrn16.dat" index 21 using 1:15 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" notitle
    set title "term nckd (unweighted)" font ",10"
    set ylabel ""
    set lmargin at screen 0.7283
    set rmargin at screen 0.9867
    set bmargin at screen 0.4418
    set tmargin at screen 0.5785
    plot "curves-evidence-wrn16.dat" index 9 using 1:($17-$18):($17+$18) with filledcurves fs transparent solid 0.18 noborder lc rgb "#CC79A7" notitle, \
         "curves-evidence-wrn16.dat" index 9 using 1:17 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#CC79A7" notitle
    set title "term pkt (unweighted)" font ",10"
    set ylabel ""
    set lmargin at screen 0.0617
    set rmargin at screen 0.3200
    set bmargin at screen 0.2519
    set tmargin at screen 0.3886
    plot "curves-evidence-wrn16.dat" index 15 using 1:($19-$20):($19+$20) with filledcurves fs transparent solid 0.18 noborder lc rgb "#E69F00" notitle, \
         "curves-evidence-wrn16.dat" index 15 using 1:19 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#E69F00" notitle
    set title "term rkd_angle (unweighted)" font ",10"
    set ylabel ""
    set lmargin at screen 0.3950
    set rmargin at screen 0.6533
    set bmargin at screen 0.2519
    set tmargin at screen 0.3886
    plot "curves-evidence-wrn16.dat" index 11 using 1:($21-$22):($21+$22) with filledcurves fs transparent solid 0.18 noborder lc rgb "#0072B2" notitle, \
         "curves-evidence-wrn16.dat" index 11 using 1:21 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#0072B2" notitle
    set title "term rkd_distance (unweighted)" font ",10"
    set ylabel ""
    set lmargin at screen 0.7283
    set rmargin at screen 0.9867
    set bmargin at screen 0.2519
    set tmargin at screen 0.3886
    plot "curves-evidence-wrn16.dat" index 11 using 1:($23-$24):($23+$24) with filledcurves fs transparent solid 0.18 noborder lc rgb "#0072B2" notitle, \
         "curves-evidence-wrn16.dat" index 11 using 1:23 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#0072B2" notitle
    set title "term sp (unweighted)" font ",10"
    set ylabel ""
    set lmargin at screen 0.0617
    set rmargin at screen 0.3200
    set bmargin at screen 0.0620
    set tmargin at screen 0.1987
    plot "curves-evidence-wrn16.dat" index 13 using 1:($25-$26):($25+$26) with filledcurves fs transparent solid 0.18 noborder lc rgb "#F0E442" notitle, \
         "curves-evidence-wrn16.dat" index 13 using 1:25 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#F0E442" notitle
    set title "term tckd (unweighted)" font ",10"
    set ylabel ""
    set lmargin at screen 0.3950
    set rmargin at screen 0.6533
    set bmargin at screen 0.0620
    set tmargin at screen 0.1987
    plot "curves-evidence-wrn16.dat" index 9 using 1:($27-$28):($27+$28) with filledcurves fs transparent solid 0.18 noborder lc rgb "#CC79A7" notitle, \
         "curves-evidence-wrn16.dat" index 9 using 1:27 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#CC79A7" notitle
    unset title
    unset xlabel
    unset ylabel
    unset grid
    unset border
    unset tics
    set key at screen 0.5, 0.0127 center center horizontal maxrows 1 font ",10" samplen 2 width 2
    set lmargin at screen 0.02
    set rmargin at screen 0.98
    set bmargin at screen 0.001
    set tmargin at screen 0.0253
    set xrange [0:1]
    set yrange [0:1]
    plot 2 notitle, \
         keyentry with linespoints pt 7 lw 2 lc rgb "#E69F00" title "ce (3 seeds)", \
         keyentry with linespoints pt 7 lw 2 lc rgb "#56B4E9" title "kd (3 seeds)", \
         keyentry with linespoints pt 7 lw 2 lc rgb "#009E73" title "at (3 seeds)", \
         keyentry with linespoints pt 7 lw 2 lc rgb "#D55E00" title "atkd (3 seeds)", \
         keyentry with linespoints pt 7 lw 2 lc rgb "#CC79A7" title "dkd (3 seeds)", \
         keyentry with linespoints pt 7 lw 2 lc rgb "#0072B2" title "rkd (3 seeds)", \
         keyentry with linespoints pt 7 lw 2 lc rgb "#F0E442" title "sp (3 seeds)", \
         keyentry with linespoints pt 7 lw 2 lc rgb "#E69F00" title "pkt (3 seeds)", \
         keyentry with linespoints pt 7 lw 2 lc rgb "#56B4E9" title "fitnet (3 seeds)", \
         keyentry with linespoints pt 7 lw 2 lc rgb "#009E73" title "crd (3 seeds)", \
         keyentry with linespoints pt 7 lw 2 lc rgb "#D55E00" title "crdkd (3 seeds)"
    unset multiplot
    set output
}
