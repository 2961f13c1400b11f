# evidence-wrn16-bf16-amx: confusion matrices
# Written by `atkd report`. Re-plot with: gnuplot <this folder>/confusion-evidence-wrn16-bf16-amx.gp
# Data: confusion-evidence-wrn16-bf16-amx.dat (read relative to this script's folder).
if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 840,440 font "sans,10" noenhanced
        set output "confusion-evidence-wrn16-bf16-amx.png"
    } else {
        set terminal svg size 840,440 font "sans,10" noenhanced background "white"
        set output "confusion-evidence-wrn16-bf16-amx.svg"
    }
    reset
    set datafile missing "nan"
    set multiplot layout 1,2 title "evidence-wrn16-bf16-amx: confusion matrices (row-normalised; rows true, columns predicted)"
    set palette defined (0 "#ffffff", 0.25 "#9ecae1", 0.6 "#3182bd", 1 "#08306b")
    set cbrange [0:1]
    set xrange [-0.5:9.5]
    set yrange [9.5:-0.5]
    set size ratio 1
    set tics font ",7"
    set xtics rotate by -60 ("airplane" 0, "automobile" 1, "bird" 2, "cat" 3, "deer" 4, "dog" 5, "frog" 6, "horse" 7, "ship" 8, "truck" 9)
    set ytics ("airplane" 0, "automobile" 1, "bird" 2, "cat" 3, "deer" 4, "dog" 5, "frog" 6, "horse" 7, "ship" 8, "truck" 9)
    set title "teacher"
    plot "confusion-evidence-wrn16-bf16-amx.dat" index 0 matrix with image notitle
    set title "atkd (1 seed)"
    plot "confusion-evidence-wrn16-bf16-amx.dat" index 1 matrix with image notitle
    
    unset multiplot
    set output
}
