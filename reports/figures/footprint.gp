# accuracy against parameters, MACs and latency
# Written by `atkd report`. Re-plot with: gnuplot <this folder>/footprint.gp
# Data: footprint.dat (read relative to this script's folder).
if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1350,540 font "sans,10" noenhanced
        set output "footprint.png"
    } else {
        set terminal svg size 1350,540 font "sans,10" noenhanced background "white"
        set output "footprint.svg"
    }
    reset
    set datafile missing "nan"
    set multiplot title "accuracy against footprint: teacher and students (one latency per architecture: the fastest of its runs' batch-1 medians)" font ",10"
    set logscale x
    set grid
    set key off
    set ylabel "test top-1 (%)"
    set yrange [25:95]
    set lmargin at screen 0.0474
    set rmargin at screen 0.3230
    set bmargin at screen 0.2185
    set tmargin at screen 0.9259
    set xrange [147393:3.55524e+06]
    set xtics ("200k" 200000, "500k" 500000, "1M" 1e+06, "2M" 2e+06)
    set xlabel "parameters"
    plot "footprint.dat" index 0 using 2:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#1b9e77" notitle, \
         "footprint.dat" index 0 using 2:5 with points pt 7 ps 1 lc rgb "#1b9e77" notitle, \
         "footprint.dat" index 0 using 2:($11 > 0 ? $5 : NaN):($10 - $2):($9 - $5) with vectors nohead lw 0.6 lc rgb "#1b9e77" notitle, \
         "footprint.dat" index 0 using 8:9:1 with labels left font ",8" tc rgb "#1b9e77" notitle, \
         "footprint.dat" index 1 using 2:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#d95f02" notitle, \
         "footprint.dat" index 1 using 2:5 with points pt 7 ps 1 lc rgb "#d95f02" notitle, \
         "footprint.dat" index 1 using 2:($11 > 0 ? $5 : NaN):($10 - $2):($9 - $5) with vectors nohead lw 0.6 lc rgb "#d95f02" notitle, \
         "footprint.dat" index 1 using 8:9:1 with labels left font ",8" tc rgb "#d95f02" notitle, \
         "footprint.dat" index 2 using 2:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#7570b3" notitle, \
         "footprint.dat" index 2 using 2:5 with points pt 7 ps 1 lc rgb "#7570b3" notitle, \
         "footprint.dat" index 2 using 2:($11 > 0 ? $5 : NaN):($10 - $2):($9 - $5) with vectors nohead lw 0.6 lc rgb "#7570b3" notitle, \
         "footprint.dat" index 2 using 8:9:1 with labels left font ",8" tc rgb "#7570b3" notitle, \
         "footprint.dat" index 3 using 2:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#e7298a" notitle, \
         "footprint.dat" index 3 using 2:5 with points pt 7 ps 1 lc rgb "#e7298a" notitle, \
         "footprint.dat" index 3 using 2:($11 > 0 ? $5 : NaN):($10 - $2):($9 - $5) with vectors nohead lw 0.6 lc rgb "#e7298a" notitle, \
         "footprint.dat" index 3 using 8:9:1 with labels left font ",8" tc rgb "#e7298a" notitle, \
         "footprint.dat" index 4 using 2:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#66a61e" notitle, \
         "footprint.dat" index 4 using 2:5 with points pt 7 ps 1 lc rgb "#66a61e" notitle, \
         "footprint.dat" index 4 using 2:($11 > 0 ? $5 : NaN):($10 - $2):($9 - $5) with vectors nohead lw 0.6 lc rgb "#66a61e" notitle, \
         "footprint.dat" index 4 using 8:9:1 with labels left font ",8" tc rgb "#66a61e" notitle, \
         "footprint.dat" index 5 using 2:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#a6761d" notitle, \
         "footprint.dat" index 5 using 2:5 with points pt 7 ps 1 lc rgb "#a6761d" notitle, \
         "footprint.dat" index 5 using 2:($11 > 0 ? $5 : NaN):($10 - $2):($9 - $5) with vectors nohead lw 0.6 lc rgb "#a6761d" notitle, \
         "footprint.dat" index 5 using 8:9:1 with labels left font ",8" tc rgb "#a6761d" notitle, \
         "footprint.dat" index 6 using 2:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#1f78b4" notitle, \
         "footprint.dat" index 6 using 2:5 with points pt 7 ps 1 lc rgb "#1f78b4" notitle, \
         "footprint.dat" index 6 using 2:($11 > 0 ? $5 : NaN):($10 - $2):($9 - $5) with vectors nohead lw 0.6 lc rgb "#1f78b4" notitle, \
         "footprint.dat" index 6 using 8:9:1 with labels left font ",8" tc rgb "#1f78b4" notitle, \
         "footprint.dat" index 7 using 2:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#666666" notitle, \
         "footprint.dat" index 7 using 2:5 with points pt 7 ps 1 lc rgb "#666666" notitle, \
         "footprint.dat" index 7 using 2:($11 > 0 ? $5 : NaN):($10 - $2):($9 - $5) with vectors nohead lw 0.6 lc rgb "#666666" notitle, \
         "footprint.dat" index 7 using 8:9:1 with labels left font ",8" tc rgb "#666666" notitle, \
         "footprint.dat" index 8 using 2:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#1b9e77" notitle, \
         "footprint.dat" index 8 using 2:5 with points pt 7 ps 1 lc rgb "#1b9e77" notitle, \
         "footprint.dat" index 8 using 2:($11 > 0 ? $5 : NaN):($10 - $2):($9 - $5) with vectors nohead lw 0.6 lc rgb "#1b9e77" notitle, \
         "footprint.dat" index 8 using 8:9:1 with labels left font ",8" tc rgb "#1b9e77" notitle, \
         "footprint.dat" index 9 using 2:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#d95f02" notitle, \
         "footprint.dat" index 9 using 2:5 with points pt 7 ps 1 lc rgb "#d95f02" notitle, \
         "footprint.dat" index 9 using 2:($11 > 0 ? $5 : NaN):($10 - $2):($9 - $5) with vectors nohead lw 0.6 lc rgb "#d95f02" notitle, \
         "footprint.dat" index 9 using 8:9:1 with labels left font ",8" tc rgb "#d95f02" notitle, \
         "footprint.dat" index 10 using 2:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#7570b3" notitle, \
         "footprint.dat" index 10 using 2:5 with points pt 7 ps 1 lc rgb "#7570b3" notitle, \
         "footprint.dat" index 10 using 2:($11 > 0 ? $5 : NaN):($10 - $2):($9 - $5) with vectors nohead lw 0.6 lc rgb "#7570b3" notitle, \
         "footprint.dat" index 10 using 8:9:1 with labels left font ",8" tc rgb "#7570b3" notitle, \
         "footprint.dat" index 11 using 2:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#e7298a" notitle, \
         "footprint.dat" index 11 using 2:5 with points pt 7 ps 1 lc rgb "#e7298a" notitle, \
         "footprint.dat" index 11 using 2:($11 > 0 ? $5 : NaN):($10 - $2):($9 - $5) with vectors nohead lw 0.6 lc rgb "#e7298a" notitle, \
         "footprint.dat" index 11 using 8:9:1 with labels left font ",8" tc rgb "#e7298a" notitle, \
         "footprint.dat" index 12 using 2:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#66a61e" notitle, \
         "footprint.dat" index 12 using 2:5 with points pt 7 ps 1 lc rgb "#66a61e" notitle, \
         "footprint.dat" index 12 using 2:($11 > 0 ? $5 : NaN):($10 - $2):($9 - $5) with vectors nohead lw 0.6 lc rgb "#66a61e" notitle, \
         "footprint.dat" index 12 using 8:9:1 with labels left font ",8" tc rgb "#66a61e" notitle, \
         "footprint.dat" index 13 using 2:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#a6761d" notitle, \
         "footprint.dat" index 13 using 2:5 with points pt 7 ps 1 lc rgb "#a6761d" notitle, \
         "footprint.dat" index 13 using 2:($11 > 0 ? $5 : NaN):($10 - $2):($9 - $5) with vectors nohead lw 0.6 lc rgb "#a6761d" notitle, \
         "footprint.dat" index 13 using 8:9:1 with labels left font ",8" tc rgb "#a6761d" notitle
    set lmargin at screen 0.3807
    set rmargin at screen 0.6563
    set bmargin at screen 0.2185
    set tmargin at screen 0.9259
    set xrange [6.38742e+06:2.81205e+08]
    set xtics ("10M" 1e+07, "20M" 2e+07, "50M" 5e+07, "100M" 1e+08, "200M" 2e+08)
    set xlabel "MACs per image"
    plot "footprint.dat" index 0 using 3:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#1b9e77" notitle, \
         "footprint.dat" index 0 using 3:5 with points pt 7 ps 1 lc rgb "#1b9e77" notitle, \
         "footprint.dat" index 0 using 3:($15 > 0 ? $5 : NaN):($14 - $3):($13 - $5) with vectors nohead lw 0.6 lc rgb "#1b9e77" notitle, \
         "footprint.dat" index 0 using 12:13:1 with labels left font ",8" tc rgb "#1b9e77" notitle, \
         "footprint.dat" index 1 using 3:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#d95f02" notitle, \
         "footprint.dat" index 1 using 3:5 with points pt 7 ps 1 lc rgb "#d95f02" notitle, \
         "footprint.dat" index 1 using 3:($15 > 0 ? $5 : NaN):($14 - $3):($13 - $5) with vectors nohead lw 0.6 lc rgb "#d95f02" notitle, \
         "footprint.dat" index 1 using 12:13:1 with labels left font ",8" tc rgb "#d95f02" notitle, \
         "footprint.dat" index 2 using 3:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#7570b3" notitle, \
         "footprint.dat" index 2 using 3:5 with points pt 7 ps 1 lc rgb "#7570b3" notitle, \
         "footprint.dat" index 2 using 3:($15 > 0 ? $5 : NaN):($14 - $3):($13 - $5) with vectors nohead lw 0.6 lc rgb "#7570b3" notitle, \
         "footprint.dat" index 2 using 12:13:1 with labels left font ",8" tc rgb "#7570b3" notitle, \
         "footprint.dat" index 3 using 3:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#e7298a" notitle, \
         "footprint.dat" index 3 using 3:5 with points pt 7 ps 1 lc rgb "#e7298a" notitle, \
         "footprint.dat" index 3 using 3:($15 > 0 ? $5 : NaN):($14 - $3):($13 - $5) with vectors nohead lw 0.6 lc rgb "#e7298a" notitle, \
         "footprint.dat" index 3 using 12:13:1 with labels left font ",8" tc rgb "#e7298a" notitle, \
         "footprint.dat" index 4 using 3:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#66a61e" notitle, \
         "footprint.dat" index 4 using 3:5 with points pt 7 ps 1 lc rgb "#66a61e" notitle, \
         "footprint.dat" index 4 using 3:($15 > 0 ? $5 : NaN):($14 - $3):($13 - $5) with vectors nohead lw 0.6 lc rgb "#66a61e" notitle, \
         "footprint.dat" index 4 using 12:13:1 with labels left font ",8" tc rgb "#66a61e" notitle, \
         "footprint.dat" index 5 using 3:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#a6761d" notitle, \
         "footprint.dat" index 5 using 3:5 with points pt 7 ps 1 lc rgb "#a6761d" notitle, \
         "footprint.dat" index 5 using 3:($15 > 0 ? $5 : NaN):($14 - $3):($13 - $5) with vectors nohead lw 0.6 lc rgb "#a6761d" notitle, \
         "footprint.dat" index 5 using 12:13:1 with labels left font ",8" tc rgb "#a6761d" notitle, \
         "footprint.dat" index 6 using 3:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#1f78b4" notitle, \
         "footprint.dat" index 6 using 3:5 with points pt 7 ps 1 lc rgb "#1f78b4" notitle, \
         "footprint.dat" index 6 using 3:($15 > 0 ? $5 : NaN):($14 - $3):($13 - $5) with vectors nohead lw 0.6 lc rgb "#1f78b4" notitle, \
         "footprint.dat" index 6 using 12:13:1 with labels left font ",8" tc rgb "#1f78b4" notitle, \
         "footprint.dat" index 7 using 3:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#666666" notitle, \
         "footprint.dat" index 7 using 3:5 with points pt 7 ps 1 lc rgb "#666666" notitle, \
         "footprint.dat" index 7 using 3:($15 > 0 ? $5 : NaN):($14 - $3):($13 - $5) with vectors nohead lw 0.6 lc rgb "#666666" notitle, \
         "footprint.dat" index 7 using 12:13:1 with labels left font ",8" tc rgb "#666666" notitle, \
         "footprint.dat" index 8 using 3:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#1b9e77" notitle, \
         "footprint.dat" index 8 using 3:5 with points pt 7 ps 1 lc rgb "#1b9e77" notitle, \
         "footprint.dat" index 8 using 3:($15 > 0 ? $5 : NaN):($14 - $3):($13 - $5) with vectors nohead lw 0.6 lc rgb "#1b9e77" notitle, \
         "footprint.dat" index 8 using 12:13:1 with labels left font ",8" tc rgb "#1b9e77" notitle, \
         "footprint.dat" index 9 using 3:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#d95f02" notitle, \
         "footprint.dat" index 9 using 3:5 with points pt 7 ps 1 lc rgb "#d95f02" notitle, \
         "footprint.dat" index 9 using 3:($15 > 0 ? $5 : NaN):($14 - $3):($13 - $5) with vectors nohead lw 0.6 lc rgb "#d95f02" notitle, \
         "footprint.dat" index 9 using 12:13:1 with labels left font ",8" tc rgb "#d95f02" notitle, \
         "footprint.dat" index 10 using 3:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#7570b3" notitle, \
         "footprint.dat" index 10 using 3:5 with points pt 7 ps 1 lc rgb "#7570b3" notitle, \
         "footprint.dat" index 10 using 3:($15 > 0 ? $5 : NaN):($14 - $3):($13 - $5) with vectors nohead lw 0.6 lc rgb "#7570b3" notitle, \
         "footprint.dat" index 10 using 12:13:1 with labels left font ",8" tc rgb "#7570b3" notitle, \
         "footprint.dat" index 11 using 3:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#e7298a" notitle, \
         "footprint.dat" index 11 using 3:5 with points pt 7 ps 1 lc rgb "#e7298a" notitle, \
         "footprint.dat" index 11 using 3:($15 > 0 ? $5 : NaN):($14 - $3):($13 - $5) with vectors nohead lw 0.6 lc rgb "#e7298a" notitle, \
         "footprint.dat" index 11 using 12:13:1 with labels left font ",8" tc rgb "#e7298a" notitle, \
         "footprint.dat" index 12 using 3:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#66a61e" notitle, \
         "footprint.dat" index 12 using 3:5 with points pt 7 ps 1 lc rgb "#66a61e" notitle, \
         "footprint.dat" index 12 using 3:($15 > 0 ? $5 : NaN):($14 - $3):($13 - $5) with vectors nohead lw 0.6 lc rgb "#66a61e" notitle, \
         "footprint.dat" index 12 using 12:13:1 with labels left font ",8" tc rgb "#66a61e" notitle, \
         "footprint.dat" index 13 using 3:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#a6761d" notitle, \
         "footprint.dat" index 13 using 3:5 with points pt 7 ps 1 lc rgb "#a6761d" notitle, \
         "footprint.dat" index 13 using 3:($15 > 0 ? $5 : NaN):($14 - $3):($13 - $5) with vectors nohead lw 0.6 lc rgb "#a6761d" notitle, \
         "footprint.dat" index 13 using 12:13:1 with labels left font ",8" tc rgb "#a6761d" notitle
    set lmargin at screen 0.7141
    set rmargin at screen 0.9896
    set bmargin at screen 0.2185
    set tmargin at screen 0.9259
    set xrange [0.3838:10.0004]
    set xtics ("0.5" 0.5, "1" 1, "2" 2, "5" 5, "10" 10)
    set xlabel "latency per image (ms, batch 1)"
    plot "footprint.dat" index 0 using 4:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#1b9e77" notitle, \
         "footprint.dat" index 0 using 4:5 with points pt 7 ps 1 lc rgb "#1b9e77" notitle, \
         "footprint.dat" index 0 using 4:($19 > 0 ? $5 : NaN):($18 - $4):($17 - $5) with vectors nohead lw 0.6 lc rgb "#1b9e77" notitle, \
         "footprint.dat" index 0 using 16:17:1 with labels left font ",8" tc rgb "#1b9e77" notitle, \
         "footprint.dat" index 1 using 4:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#d95f02" notitle, \
         "footprint.dat" index 1 using 4:5 with points pt 7 ps 1 lc rgb "#d95f02" notitle, \
         "footprint.dat" index 1 using 4:($19 > 0 ? $5 : NaN):($18 - $4):($17 - $5) with vectors nohead lw 0.6 lc rgb "#d95f02" notitle, \
         "footprint.dat" index 1 using 16:17:1 with labels left font ",8" tc rgb "#d95f02" notitle, \
         "footprint.dat" index 2 using 4:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#7570b3" notitle, \
         "footprint.dat" index 2 using 4:5 with points pt 7 ps 1 lc rgb "#7570b3" notitle, \
         "footprint.dat" index 2 using 4:($19 > 0 ? $5 : NaN):($18 - $4):($17 - $5) with vectors nohead lw 0.6 lc rgb "#7570b3" notitle, \
         "footprint.dat" index 2 using 16:17:1 with labels left font ",8" tc rgb "#7570b3" notitle, \
         "footprint.dat" index 3 using 4:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#e7298a" notitle, \
         "footprint.dat" index 3 using 4:5 with points pt 7 ps 1 lc rgb "#e7298a" notitle, \
         "footprint.dat" index 3 using 4:($19 > 0 ? $5 : NaN):($18 - $4):($17 - $5) with vectors nohead lw 0.6 lc rgb "#e7298a" notitle, \
         "footprint.dat" index 3 using 16:17:1 with labels left font ",8" tc rgb "#e7298a" notitle, \
         "footprint.dat" index 4 using 4:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#66a61e" notitle, \
         "footprint.dat" index 4 using 4:5 with points pt 7 ps 1 lc rgb "#66a61e" notitle, \
         "footprint.dat" index 4 using 4:($19 > 0 ? $5 : NaN):($18 - $4):($17 - $5) with vectors nohead lw 0.6 lc rgb "#66a61e" notitle, \
         "footprint.dat" index 4 using 16:17:1 with labels left font ",8" tc rgb "#66a61e" notitle, \
         "footprint.dat" index 5 using 4:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#a6761d" notitle, \
         "footprint.dat" index 5 using 4:5 with points pt 7 ps 1 lc rgb "#a6761d" notitle, \
         "footprint.dat" index 5 using 4:($19 > 0 ? $5 : NaN):($18 - $4):($17 - $5) with vectors nohead lw 0.6 lc rgb "#a6761d" notitle, \
         "footprint.dat" index 5 using 16:17:1 with labels left font ",8" tc rgb "#a6761d" notitle, \
         "footprint.dat" index 6 using 4:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#1f78b4" notitle, \
         "footprint.dat" index 6 using 4:5 with points pt 7 ps 1 lc rgb "#1f78b4" notitle, \
         "footprint.dat" index 6 using 4:($19 > 0 ? $5 : NaN):($18 - $4):($17 - $5) with vectors nohead lw 0.6 lc rgb "#1f78b4" notitle, \
         "footprint.dat" index 6 using 16:17:1 with labels left font ",8" tc rgb "#1f78b4" notitle, \
         "footprint.dat" index 7 using 4:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#666666" notitle, \
         "footprint.dat" index 7 using 4:5 with points pt 7 ps 1 lc rgb "#666666" notitle, \
         "footprint.dat" index 7 using 4:($19 > 0 ? $5 : NaN):($18 - $4):($17 - $5) with vectors nohead lw 0.6 lc rgb "#666666" notitle, \
         "footprint.dat" index 7 using 16:17:1 with labels left font ",8" tc rgb "#666666" notitle, \
         "footprint.dat" index 8 using 4:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#1b9e77" notitle, \
         "footprint.dat" index 8 using 4:5 with points pt 7 ps 1 lc rgb "#1b9e77" notitle, \
         "footprint.dat" index 8 using 4:($19 > 0 ? $5 : NaN):($18 - $4):($17 - $5) with vectors nohead lw 0.6 lc rgb "#1b9e77" notitle, \
         "footprint.dat" index 8 using 16:17:1 with labels left font ",8" tc rgb "#1b9e77" notitle, \
         "footprint.dat" index 9 using 4:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#d95f02" notitle, \
         "footprint.dat" index 9 using 4:5 with points pt 7 ps 1 lc rgb "#d95f02" notitle, \
         "footprint.dat" index 9 using 4:($19 > 0 ? $5 : NaN):($18 - $4):($17 - $5) with vectors nohead lw 0.6 lc rgb "#d95f02" notitle, \
         "footprint.dat" index 9 using 16:17:1 with labels left font ",8" tc rgb "#d95f02" notitle, \
         "footprint.dat" index 10 using 4:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#7570b3" notitle, \
         "footprint.dat" index 10 using 4:5 with points pt 7 ps 1 lc rgb "#7570b3" notitle, \
         "footprint.dat" index 10 using 4:($19 > 0 ? $5 : NaN):($18 - $4):($17 - $5) with vectors nohead lw 0.6 lc rgb "#7570b3" notitle, \
         "footprint.dat" index 10 using 16:17:1 with labels left font ",8" tc rgb "#7570b3" notitle, \
         "footprint.dat" index 11 using 4:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#e7298a" notitle, \
         "footprint.dat" index 11 using 4:5 with points pt 7 ps 1 lc rgb "#e7298a" notitle, \
         "footprint.dat" index 11 using 4:($19 > 0 ? $5 : NaN):($18 - $4):($17 - $5) with vectors nohead lw 0.6 lc rgb "#e7298a" notitle, \
         "footprint.dat" index 11 using 16:17:1 with labels left font ",8" tc rgb "#e7298a" notitle, \
         "footprint.dat" index 12 using 4:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#66a61e" notitle, \
         "footprint.dat" index 12 using 4:5 with points pt 7 ps 1 lc rgb "#66a61e" notitle, \
         "footprint.dat" index 12 using 4:($19 > 0 ? $5 : NaN):($18 - $4):($17 - $5) with vectors nohead lw 0.6 lc rgb "#66a61e" notitle, \
         "footprint.dat" index 12 using 16:17:1 with labels left font ",8" tc rgb "#66a61e" notitle, \
         "footprint.dat" index 13 using 4:5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb "#a6761d" notitle, \
         "footprint.dat" index 13 using 4:5 with points pt 7 ps 1 lc rgb "#a6761d" notitle, \
         "footprint.dat" index 13 using 4:($19 > 0 ? $5 : NaN):($18 - $4):($17 - $5) with vectors nohead lw 0.6 lc rgb "#a6761d" notitle, \
         "footprint.dat" index 13 using 16:17:1 with labels left font ",8" tc rgb "#a6761d" notitle
    unset border
    unset tics
    unset xlabel
    unset ylabel
    unset grid
    unset logscale x
    set lmargin at screen 0.02
    set rmargin at screen 0.98
    set bmargin at screen 0.001
    set tmargin at screen 0.0741
    set xrange [0:1]
    set yrange [0:1]
    set key at screen 0.5, 0.0370 center center horizontal maxrows 1 font ",10" samplen 1 width 2
    plot 2 notitle, \
         keyentry with points pt 7 ps 1 lc rgb "#1b9e77" title "cifar-cpu", \
         keyentry with points pt 7 ps 1 lc rgb "#d95f02" title "cifar-mini", \
         keyentry with points pt 7 ps 1 lc rgb "#7570b3" title "evidence-cifar-r50", \
         keyentry with points pt 7 ps 1 lc rgb "#e7298a" title "evidence-cifar-r50-control", \
         keyentry with points pt 7 ps 1 lc rgb "#66a61e" title "evidence-imagenette", \
         keyentry with points pt 7 ps 1 lc rgb "#a6761d" title "evidence-imagenette-beta1000", \
         keyentry with points pt 7 ps 1 lc rgb "#1f78b4" title "evidence-wrn16", \
         keyentry with points pt 7 ps 1 lc rgb "#666666" title "evidence-wrn16-bf16", \
         keyentry with points pt 7 ps 1 lc rgb "#1b9e77" title "evidence-wrn16-bf16-amx", \
         keyentry with points pt 7 ps 1 lc rgb "#d95f02" title "evidence-wrn16-ce-30ep", \
         keyentry with points pt 7 ps 1 lc rgb "#7570b3" title "evidence-wrn16-teacher-60ep", \
         keyentry with points pt 7 ps 1 lc rgb "#e7298a" title "imagenette-cpu", \
         keyentry with points pt 7 ps 1 lc rgb "#66a61e" title "regress", \
         keyentry with points pt 7 ps 1 lc rgb "#a6761d" title "teacher-wrn-16-2"
    
    unset multiplot
    set output
}
