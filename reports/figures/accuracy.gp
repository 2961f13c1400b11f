# final test top-1 per method
# Written by `atkd report`. Re-plot with: gnuplot <this folder>/accuracy.gp
# Data: accuracy.dat (read relative to this script's folder).
if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 4950,450 font "sans,10" noenhanced
        set output "accuracy.png"
    } else {
        set terminal svg size 4950,450 font "sans,10" noenhanced background "white"
        set output "accuracy.svg"
    }
    reset
    set datafile missing "nan"
    set multiplot layout 1,11 title "final test top-1 per method\n"
    set title "cifar-cpu (one seed: no error bars)"
    set style fill solid 0.6 border -1
    set boxwidth 0.6
    set ylabel "test top-1 (%), axis from 60"
    set xrange [-0.7:3.7]
    set yrange [60:*]
    set offsets 0, 0, graph 0.12, 0
    set grid ytics
    set key outside below horizontal
    plot "accuracy.dat" index 0 using 1:3:6:xtic(2) with boxes lc rgb variable notitle, \
         "accuracy.dat" index 0 using 1:($3 + $4):(sprintf("%.2f", $3)) with labels offset 0,0.8 font ",9" notitle, \
         68.39 with lines dt 2 lw 2 lc rgb "#000000" title "teacher resnet50-w4-awconv", \
         67.04 with lines dt 3 lw 2 lc rgb "#E69F00" title "plain student (ce)"
    set title "cifar-mini (one seed: no error bars)"
    set style fill solid 0.6 border -1
    set boxwidth 0.6
    set ylabel "test top-1 (%), axis from 25"
    set xrange [-0.7:3.7]
    set yrange [25:*]
    set offsets 0, 0, graph 0.12, 0
    set grid ytics
    set key outside below horizontal
    plot "accuracy.dat" index 1 using 1:3:6:xtic(2) with boxes lc rgb variable notitle, \
         "accuracy.dat" index 1 using 1:($3 + $4):(sprintf("%.2f", $3)) with labels offset 0,0.8 font ",9" notitle, \
         36.1 with lines dt 2 lw 2 lc rgb "#000000" title "teacher resnet50-w4-awconv", \
         36 with lines dt 3 lw 2 lc rgb "#E69F00" title "plain student (ce)"
    set title "evidence-cifar-r50 (mean ± std over up to 3 seeds)"
    set style fill solid 0.6 border -1
    set boxwidth 0.6
    set ylabel "test top-1 (%), axis from 75"
    set xrange [-0.7:3.7]
    set yrange [75:*]
    set offsets 0, 0, graph 0.12, 0
    set grid ytics
    set key outside below horizontal
    plot "accuracy.dat" index 2 using 1:3:4:6:xtic(2) with boxerrorbars lc rgb variable notitle, \
         "accuracy.dat" index 2 using 1:($3 + $4):(sprintf("%.2f", $3)) with labels offset 0,0.8 font ",9" notitle, \
         88.13 with lines dt 2 lw 2 lc rgb "#000000" title "teacher resnet50-w4-awconv", \
         84.9133 with lines dt 3 lw 2 lc rgb "#E69F00" title "plain student (ce)"
    set title "evidence-imagenette (mean ± std over up to 3 seeds)"
    set style fill solid 0.6 border -1
    set boxwidth 0.6
    set ylabel "test top-1 (%), axis from 65"
    set xrange [-0.7:3.7]
    set yrange [65:*]
    set offsets 0, 0, graph 0.12, 0
    set grid ytics
    set key outside below horizontal
    plot "accuracy.dat" index 3 using 1:3:4:6:xtic(2) with boxerrorbars lc rgb variable notitle, \
         "accuracy.dat" index 3 using 1:($3 + $4):(sprintf("%.2f", $3)) with labels offset 0,0.8 font ",9" notitle, \
         80.3057 with lines dt 2 lw 2 lc rgb "#000000" title "teacher resnet50-w4-awconv-imagenet", \
         74.6582 with lines dt 3 lw 2 lc rgb "#E69F00" title "plain student (ce)"
    set title "evidence-imagenette-beta1000 (mean ± std over up to 3 seeds)"
    set style fill solid 0.6 border -1
    set boxwidth 0.6
    set ylabel "test top-1 (%), axis from 65"
    set xrange [-0.7:0.7]
    set yrange [65:*]
    set offsets 0, 0, graph 0.12, 0
    set grid ytics
    set key outside below horizontal
    plot "accuracy.dat" index 4 using 1:3:4:6:xtic(2) with boxerrorbars lc rgb variable notitle, \
         "accuracy.dat" index 4 using 1:($3 + $4):(sprintf("%.2f", $3)) with labels offset 0,0.8 font ",9" notitle, \
         80.3057 with lines dt 2 lw 2 lc rgb "#000000" title "teacher resnet50-w4-awconv-imagenet"
    set title "evidence-wrn16 (mean ± std over up to 3 seeds)"
    set style fill solid 0.6 border -1
    set boxwidth 0.6
    set ylabel "test top-1 (%), axis from 75"
    set xrange [-0.7:10.7]
    set yrange [75:*]
    set offsets 0, 0, graph 0.12, 0
    set grid ytics
    set key outside below horizontal
    plot "accuracy.dat" index 5 using 1:3:4:6:xtic(2) with boxerrorbars lc rgb variable notitle, \
         "accuracy.dat" index 5 using 1:($3 + $4):(sprintf("%.2f", $3)) with labels offset 0,0.8 font ",9" notitle, \
         89.06 with lines dt 2 lw 2 lc rgb "#000000" title "teacher wrn-16-2", \
         84.9433 with lines dt 3 lw 2 lc rgb "#E69F00" title "plain student (ce)"
    set title "evidence-wrn16-bf16 (one seed: no error bars)"
    set style fill solid 0.6 border -1
    set boxwidth 0.6
    set ylabel "test top-1 (%), axis from 80"
    set xrange [-0.7:0.7]
    set yrange [80:*]
    set offsets 0, 0, graph 0.12, 0
    set grid ytics
    set key outside below horizontal
    plot "accuracy.dat" index 6 using 1:3:6:xtic(2) with boxes lc rgb variable notitle, \
         "accuracy.dat" index 6 using 1:($3 + $4):(sprintf("%.2f", $3)) with labels offset 0,0.8 font ",9" notitle, \
         89.06 with lines dt 2 lw 2 lc rgb "#000000" title "teacher wrn-16-2"
    set title "evidence-wrn16-bf16-amx (one seed: no error bars)"
    set style fill solid 0.6 border -1
    set boxwidth 0.6
    set ylabel "test top-1 (%), axis from 80"
    set xrange [-0.7:0.7]
    set yrange [80:*]
    set offsets 0, 0, graph 0.12, 0
    set grid ytics
    set key outside below horizontal
    plot "accuracy.dat" index 7 using 1:3:6:xtic(2) with boxes lc rgb variable notitle, \
         "accuracy.dat" index 7 using 1:($3 + $4):(sprintf("%.2f", $3)) with labels offset 0,0.8 font ",9" notitle, \
         89.07 with lines dt 2 lw 2 lc rgb "#000000" title "teacher wrn-16-2"
    set title "evidence-wrn16-ce-30ep (one seed: no error bars)"
    set style fill solid 0.6 border -1
    set boxwidth 0.6
    set ylabel "test top-1 (%), axis from 80"
    set xrange [-0.7:0.7]
    set yrange [80:*]
    set offsets 0, 0, graph 0.12, 0
    set grid ytics
    set key outside below horizontal
    plot "accuracy.dat" index 8 using 1:3:6:xtic(2) with boxes lc rgb variable notitle, \
         "accuracy.dat" index 8 using 1:($3 + $4):(sprintf("%.2f", $3)) with labels offset 0,0.8 font ",9" notitle, \
         86.26 with lines dt 3 lw 2 lc rgb "#E69F00" title "plain student (ce)"
    set title "imagenette-cpu (one seed: no error bars)"
    set style fill solid 0.6 border -1
    set boxwidth 0.6
    set ylabel "test top-1 (%), axis from 25"
    set xrange [-0.7:3.7]
    set yrange [25:*]
    set offsets 0, 0, graph 0.12, 0
    set grid ytics
    set key outside below horizontal
    plot "accuracy.dat" index 9 using 1:3:6:xtic(2) with boxes lc rgb variable notitle, \
         "accuracy.dat" index 9 using 1:($3 + $4):(sprintf("%.2f", $3)) with labels offset 0,0.8 font ",9" notitle, \
         60.1019 with lines dt 2 lw 2 lc rgb "#000000" title "teacher resnet50-w4-awconv-imagenet", \
         42.3694 with lines dt 3 lw 2 lc rgb "#E69F00" title "plain student (ce)"
    set title "regress (mean ± std over up to 3 seeds)"
    set style fill solid 0.6 border -1
    set boxwidth 0.6
    set ylabel "test top-1 (%), axis from 25"
    set xrange [-0.7:3.7]
    set yrange [25:*]
    set offsets 0, 0, graph 0.12, 0
    set grid ytics
    set key outside below horizontal
    plot "accuracy.dat" index 10 using 1:3:4:6:xtic(2) with boxerrorbars lc rgb variable notitle, \
         "accuracy.dat" index 10 using 1:($3 + $4):(sprintf("%.2f", $3)) with labels offset 0,0.8 font ",9" notitle, \
         65 with lines dt 2 lw 2 lc rgb "#000000" title "teacher wrn-16-2", \
         31.4667 with lines dt 3 lw 2 lc rgb "#E69F00" title "plain student (ce)"
    
    unset multiplot
    set output
}
