# evidence-imagenette-beta1000: confusion matrices
# Written by `atkd report`. Re-plot with: gnuplot <this folder>/confusion-evidence-imagenette-beta1000.gp
# Data: confusion-evidence-imagenette-beta1000.dat (read relative to this script's folder).
if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 840,440 font "sans,10" noenhanced
        set output "confusion-evidence-imagenette-beta1000.png"
    } else {
        set terminal svg size 840,440 font "sans,10" noenhanced background "white"
        set output "confusion-evidence-imagenette-beta1000.svg"
    }
    reset
    set datafile missing "nan"
    set multiplot layout 1,2 title "evidence-imagenette-beta1000: confusion matrices (row-normalised; rows true, columns predicted)"
    set palette defined (0 "#ffffff", 0.25 "#9ecae1", 0.6 "#3182bd", 1 "#08306b")
    set cbrange [0:1]
    set xrange [-0.5:9.5]
    set yrange [9.5:-0.5]
    set size ratio 1
    set tics font ",7"
    set xtics rotate by -60 ("tench" 0, "English springer" 1, "cassette player" 2, "chain saw" 3, "church" 4, "French horn" 5, "garbage truck" 6, "gas pump" 7, "golf ball" 8, "parachute" 9)
    set ytics ("tench" 0, "English springer" 1, "cassette player" 2, "chain saw" 3, "church" 4, "French horn" 5, "garbage truck" 6, "gas pump" 7, "golf ball" 8, "parachute" 9)
    set title "teacher"
    plot "confusion-evidence-imagenette-beta1000.dat" index 0 matrix with image notitle
    set title "atkd (3 seeds)"
    plot "confusion-evidence-imagenette-beta1000.dat" index 1 matrix with image notitle
    
    unset multiplot
    set output
}
