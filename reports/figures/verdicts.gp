# the claims at a glance: paired differences with 95 % intervals
# Written by `atkd report`. Re-plot with: gnuplot <this folder>/verdicts.gp
# Data: verdicts.dat (read relative to this script's folder).
if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1000,826 font "sans,10" noenhanced
        set output "verdicts.png"
    } else {
        set terminal svg size 1000,826 font "sans,10" noenhanced background "white"
        set output "verdicts.svg"
    }
    reset
    set datafile missing "nan"
    set title "claims: paired difference per seed (points), mean and 95 % t-interval; ◇ = claimed effect"
    set grid xtics
    set xlabel "difference in test top-1 (points; mCA for the corruption claim)"
    set ytics nomirror font ",9"
    set yrange [-0.7:15.7]
    set offsets graph 0.05, graph 0.55, 0, 0
    set arrow from 0, graph 0 to 0, graph 1 nohead dt 2 lc rgb "#888888"
    set key off
    plot "verdicts.dat" using 2:1:3:4:ytic(6) with xerrorbars pt 7 ps 1.2 lc rgb "#1f4e9a" notitle, \
         "verdicts.dat" using 5:1 with points pt 12 ps 2 lc rgb "#c0392b" notitle, \
         "verdicts.dat" using 8:1:7 with labels offset char 2,0 left font ",9" notitle
    unset multiplot
    set output
}
