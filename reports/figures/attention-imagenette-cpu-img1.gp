# imagenette-cpu: attention maps, test image 1 (tench)
# Written by `atkd report`. Re-plot with: gnuplot <this folder>/attention-imagenette-cpu-img1.gp
# Data: attention-imagenette-cpu.dat (read relative to this script's folder).
if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 920,1050 font "sans,10" noenhanced
        set output "attention-imagenette-cpu-img1.png"
    } else {
        set terminal svg size 920,1050 font "sans,10" noenhanced background "white"
        set output "attention-imagenette-cpu-img1.svg"
    }
    reset
    set datafile missing "nan"
    set multiplot layout 5,4 title "imagenette-cpu: attention maps of test image 1 (tench); rows: models, columns: taps"
    set palette rgb 21,22,23
    unset colorbox
    unset xtics
    unset ytics
    set size ratio -1
    set lmargin 0.5
    set rmargin 0.5
    set title "teacher · stage1 (16×16)" font ",9"
    set xrange [-0.5:15.5]
    set yrange [15.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 1 matrix with image notitle
    set title "teacher · stage2 (8×8)" font ",9"
    set xrange [-0.5:7.5]
    set yrange [7.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 5 matrix with image notitle
    set title "teacher · stage3 (4×4)" font ",9"
    set xrange [-0.5:3.5]
    set yrange [3.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 9 matrix with image notitle
    set title "teacher · stage4 (2×2)" font ",9"
    set xrange [-0.5:1.5]
    set yrange [1.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 13 matrix with image notitle
    set title "ce · stage1 (16×16)" font ",9"
    set xrange [-0.5:15.5]
    set yrange [15.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 17 matrix with image notitle
    set title "ce · stage2 (8×8)" font ",9"
    set xrange [-0.5:7.5]
    set yrange [7.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 21 matrix with image notitle
    set title "ce · stage3 (4×4)" font ",9"
    set xrange [-0.5:3.5]
    set yrange [3.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 25 matrix with image notitle
    set title "ce · stage4 (2×2)" font ",9"
    set xrange [-0.5:1.5]
    set yrange [1.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 29 matrix with image notitle
    set title "kd · stage1 (16×16)" font ",9"
    set xrange [-0.5:15.5]
    set yrange [15.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 33 matrix with image notitle
    set title "kd · stage2 (8×8)" font ",9"
    set xrange [-0.5:7.5]
    set yrange [7.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 37 matrix with image notitle
    set title "kd · stage3 (4×4)" font ",9"
    set xrange [-0.5:3.5]
    set yrange [3.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 41 matrix with image notitle
    set title "kd · stage4 (2×2)" font ",9"
    set xrange [-0.5:1.5]
    set yrange [1.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 45 matrix with image notitle
    set title "at · stage1 (16×16)" font ",9"
    set xrange [-0.5:15.5]
    set yrange [15.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 49 matrix with image notitle
    set title "at · stage2 (8×8)" font ",9"
    set xrange [-0.5:7.5]
    set yrange [7.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 53 matrix with image notitle
    set title "at · stage3 (4×4)" font ",9"
    set xrange [-0.5:3.5]
    set yrange [3.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 57 matrix with image notitle
    set title "at · stage4 (2×2)" font ",9"
    set xrange [-0.5:1.5]
    set yrange [1.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 61 matrix with image notitle
    set title "atkd · stage1 (16×16)" font ",9"
    set xrange [-0.5:15.5]
    set yrange [15.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 65 matrix with image notitle
    set title "atkd · stage2 (8×8)" font ",9"
    set xrange [-0.5:7.5]
    set yrange [7.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 69 matrix with image notitle
    set title "atkd · stage3 (4×4)" font ",9"
    set xrange [-0.5:3.5]
    set yrange [3.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 73 matrix with image notitle
    set title "atkd · stage4 (2×2)" font ",9"
    set xrange [-0.5:1.5]
    set yrange [1.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 77 matrix with image notitle
    
    unset multiplot
    set output
}
