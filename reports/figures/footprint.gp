# accuracy against parameters, MACs and latency
# Written by `atkd report`. Re-plot with: gnuplot <this folder>/footprint.gp
# Data: footprint.dat (read relative to this script's folder).
if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1350,450 font "sans,10" noenhanced
        set output "footprint.png"
    } else {
        set terminal svg size 1350,450 font "sans,10" noenhanced background "white"
        set output "footprint.svg"
    }
    reset
    set datafile missing "nan"
    set multiplot layout 1,3 title "accuracy against footprint (teacher and students)"
    set logscale x
    set grid
    set ylabel "test top-1 (%)"
    set key bottom right
    set xlabel "parameters"
    plot "footprint.dat" index 0 using 2:5:6 with yerrorbars pt 7 ps 1 lc 1 title "cifar-cpu", \
         "footprint.dat" index 0 using 2:5:1 with labels offset char 1,0.6 left font ",8" notitle, \
         "footprint.dat" index 1 using 2:5:6 with yerrorbars pt 7 ps 1 lc 2 title "cifar-mini", \
         "footprint.dat" index 1 using 2:5:1 with labels offset char 1,0.6 left font ",8" notitle, \
         "footprint.dat" index 2 using 2:5:6 with yerrorbars pt 7 ps 1 lc 3 title "evidence-wrn16", \
         "footprint.dat" index 2 using 2:5:1 with labels offset char 1,0.6 left font ",8" notitle, \
         "footprint.dat" index 3 using 2:5:6 with yerrorbars pt 7 ps 1 lc 4 title "imagenette-cpu", \
         "footprint.dat" index 3 using 2:5:1 with labels offset char 1,0.6 left font ",8" notitle, \
         "footprint.dat" index 4 using 2:5:6 with yerrorbars pt 7 ps 1 lc 5 title "regress", \
         "footprint.dat" index 4 using 2:5:1 with labels offset char 1,0.6 left font ",8" notitle, \
         "footprint.dat" index 5 using 2:5:6 with yerrorbars pt 7 ps 1 lc 6 title "teacher-wrn-16-2", \
         "footprint.dat" index 5 using 2:5:1 with labels offset char 1,0.6 left font ",8" notitle
    set xlabel "MACs per image"
    plot "footprint.dat" index 0 using 3:5:6 with yerrorbars pt 7 ps 1 lc 1 title "cifar-cpu", \
         "footprint.dat" index 0 using 3:5:1 with labels offset char 1,0.6 left font ",8" notitle, \
         "footprint.dat" index 1 using 3:5:6 with yerrorbars pt 7 ps 1 lc 2 title "cifar-mini", \
         "footprint.dat" index 1 using 3:5:1 with labels offset char 1,0.6 left font ",8" notitle, \
         "footprint.dat" index 2 using 3:5:6 with yerrorbars pt 7 ps 1 lc 3 title "evidence-wrn16", \
         "footprint.dat" index 2 using 3:5:1 with labels offset char 1,0.6 left font ",8" notitle, \
         "footprint.dat" index 3 using 3:5:6 with yerrorbars pt 7 ps 1 lc 4 title "imagenette-cpu", \
         "footprint.dat" index 3 using 3:5:1 with labels offset char 1,0.6 left font ",8" notitle, \
         "footprint.dat" index 4 using 3:5:6 with yerrorbars pt 7 ps 1 lc 5 title "regress", \
         "footprint.dat" index 4 using 3:5:1 with labels offset char 1,0.6 left font ",8" notitle, \
         "footprint.dat" index 5 using 3:5:6 with yerrorbars pt 7 ps 1 lc 6 title "teacher-wrn-16-2", \
         "footprint.dat" index 5 using 3:5:1 with labels offset char 1,0.6 left font ",8" notitle
    set xlabel "latency per image (ms, batch 1)"
    plot "footprint.dat" index 0 using 4:5:6 with yerrorbars pt 7 ps 1 lc 1 title "cifar-cpu", \
         "footprint.dat" index 0 using 4:5:1 with labels offset char 1,0.6 left font ",8" notitle, \
         "footprint.dat" index 1 using 4:5:6 with yerrorbars pt 7 ps 1 lc 2 title "cifar-mini", \
         "footprint.dat" index 1 using 4:5:1 with labels offset char 1,0.6 left font ",8" notitle, \
         "footprint.dat" index 2 using 4:5:6 with yerrorbars pt 7 ps 1 lc 3 title "evidence-wrn16", \
         "footprint.dat" index 2 using 4:5:1 with labels offset char 1,0.6 left font ",8" notitle, \
         "footprint.dat" index 3 using 4:5:6 with yerrorbars pt 7 ps 1 lc 4 title "imagenette-cpu", \
         "footprint.dat" index 3 using 4:5:1 with labels offset char 1,0.6 left font ",8" notitle, \
         "footprint.dat" index 4 using 4:5:6 with yerrorbars pt 7 ps 1 lc 5 title "regress", \
         "footprint.dat" index 4 using 4:5:1 with labels offset char 1,0.6 left font ",8" notitle, \
         "footprint.dat" index 5 using 4:5:6 with yerrorbars pt 7 ps 1 lc 6 title "teacher-wrn-16-2", \
         "footprint.dat" index 5 using 4:5:1 with labels offset char 1,0.6 left font ",8" notitle
    
    unset multiplot
    set output
}
