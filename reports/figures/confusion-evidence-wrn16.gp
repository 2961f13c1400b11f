# evidence-wrn16: confusion matrices
# Written by `atkd report`. Re-plot with: gnuplot <this folder>/confusion-evidence-wrn16.gp
# Data: confusion-evidence-wrn16.dat (read relative to this script's folder).
if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1260,1640 font "sans,10" noenhanced
        set output "confusion-evidence-wrn16.png"
    } else {
        set terminal svg size 1260,1640 font "sans,10" noenhanced background "white"
        set output "confusion-evidence-wrn16.svg"
    }
    reset
    set datafile missing "nan"
    set multiplot layout 4,3 title "evidence-wrn16: confusion matrices (row-normalised; rows true, columns predicted)"
    set palette defined (0 "#ffffff", 0.25 "#9ecae1", 0.6 "#3182bd", 1 "#08306b")
    set cbrange [0:1]
    set xrange [-0.5:9.5]
    set yrange [9.5:-0.5]
    set size ratio 1
    set tics font ",7"
    set xtics rotate by -60 ("airplane" 0, "automobile" 1, "bird" 2, "cat" 3, "deer" 4, "dog" 5, "frog" 6, "horse" 7, "ship" 8, "truck" 9)
    set ytics ("airplane" 0, "automobile" 1, "bird" 2, "cat" 3, "deer" 4, "dog" 5, "frog" 6, "horse" 7, "ship" 8, "truck" 9)
    set title "teacher"
    plot "confusion-evidence-wrn16.dat" index 0 matrix with image notitle
    set title "ce (3 seeds)"
    plot "confusion-evidence-wrn16.dat" index 1 matrix with image notitle
    set title "kd (3 seeds)"
    plot "confusion-evidence-wrn16.dat" index 2 matrix with image notitle
    set title "at (3 seeds)"
    plot "confusion-evidence-wrn16.dat" index 3 matrix with image notitle
    set title "atkd (3 seeds)"
    plot "confusion-evidence-wrn16.dat" index 4 matrix with image notitle
    set title "dkd (3 seeds)"
    plot "confusion-evidence-wrn16.dat" index 5 matrix with image notitle
    set title "rkd (3 seeds)"
    plot "confusion-evidence-wrn16.dat" index 6 matrix with image notitle
    set title "sp (3 seeds)"
    plot "confusion-evidence-wrn16.dat" index 7 matrix with image notitle
    set title "pkt (3 seeds)"
    plot "confusion-evidence-wrn16.dat" index 8 matrix with image notitle
    set title "fitnet (3 seeds)"
    plot "confusion-evidence-wrn16.dat" index 9 matrix with image notitle
    set title "crd (3 seeds)"
    plot "confusion-evidence-wrn16.dat" index 10 matrix with image notitle
    set title "crdkd (3 seeds)"
    plot "confusion-evidence-wrn16.dat" index 11 matrix with image notitle
    
    unset multiplot
    set output
}
