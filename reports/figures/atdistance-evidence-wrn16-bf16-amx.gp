# evidence-wrn16-bf16-amx: AT distance to the teacher per tap during training
# Written by `atkd report`. Re-plot with: gnuplot <this folder>/atdistance-evidence-wrn16-bf16-amx.gp
# Data: atdistance-evidence-wrn16-bf16-amx.dat (read relative to this script's folder).
if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1080,380 font "sans,10" noenhanced
        set output "atdistance-evidence-wrn16-bf16-amx.png"
    } else {
        set terminal svg size 1080,380 font "sans,10" noenhanced background "white"
        set output "atdistance-evidence-wrn16-bf16-amx.svg"
    }
    reset
    set datafile missing "nan"
    set multiplot layout 1,3 title "evidence-wrn16-bf16-amx: AT distance to the teacher per tap during training (32 fixed test images; 0 = the teacher's maps, √2 = disjoint)"
    set grid
    set xlabel "epoch"
    set yrange [0:*]
    set key bottom left font ",9"
    set title "stage1" font ",10"
    set ylabel "AT distance"
    plot "atdistance-evidence-wrn16-bf16-amx.dat" index 0 using 1:3 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" title "atkd"
    set title "stage2" font ",10"
    set ylabel ""
    set key off
    plot "atdistance-evidence-wrn16-bf16-amx.dat" index 0 using 1:5 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" title "atkd"
    set title "stage3" font ",10"
    set ylabel ""
    set key off
    plot "atdistance-evidence-wrn16-bf16-amx.dat" index 0 using 1:7 with linespoints pt 7 ps 0.35 lw 1.5 lc rgb "#D55E00" title "atkd"
    
    unset multiplot
    set output
}
