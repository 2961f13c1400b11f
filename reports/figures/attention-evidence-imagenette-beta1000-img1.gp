# evidence-imagenette-beta1000: attention maps, test image 1 (tench)
# Written by `atkd report`. Re-plot with: gnuplot <this folder>/attention-evidence-imagenette-beta1000-img1.gp
# Data: attention-evidence-imagenette-beta1000.dat, attention-evidence-imagenette-beta1000-inputs.dat (read relative to this script's folder).
if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 800,282 font "sans,10" noenhanced
        set output "attention-evidence-imagenette-beta1000-img1.png"
    } else {
        set terminal svg size 800,282 font "sans,10" noenhanced background "white"
        set output "attention-evidence-imagenette-beta1000-img1.svg"
    }
    reset
    set datafile missing "nan"
    set multiplot title "evidence-imagenette-beta1000: attention maps of test image 1 (tench)\none colour scale per tap column; d = ‖q̂ − q̂_teacher‖₂ (0: the teacher's map)" font ",10"
    set palette defined (0 "#000004", 0.25 "#51127c", 0.5 "#b73779", 0.75 "#fc8961", 1 "#fcfdbf")
    unset xtics
    unset ytics
    unset key
    set label "input" at screen 0.1788, 0.7305 center font ",10"
    set label "stage1 (16×16)" at screen 0.3588, 0.7305 center font ",10"
    set label "stage2 (8×8)" at screen 0.5388, 0.7305 center font ",10"
    set label "stage3 (4×4)" at screen 0.7188, 0.7305 center font ",10"
    set label "stage4 (2×2)" at screen 0.8987, 0.7305 center font ",10"
    set label "teacher" at screen 0.0875, 0.4716 right font ",10"
    # panel row=teacher col=input
    set lmargin at screen 0.0975
    set rmargin at screen 0.2600
    set bmargin at screen 0.2411
    set tmargin at screen 0.7021
    set xrange [-0.5:63.5]
    set yrange [63.5:-0.5]
    unset colorbox
    plot "attention-evidence-imagenette-beta1000-inputs.dat" index 1 using 1:2:3:4:5 with rgbimage notitle
    unset label
    # panel row=teacher col=stage1
    set lmargin at screen 0.2775
    set rmargin at screen 0.4400
    set bmargin at screen 0.2411
    set tmargin at screen 0.7021
    set cbrange [0:0.134]
    set colorbox user horizontal origin screen 0.3025, 0.0851 size screen 0.1125, 0.0355
    set cbtics 0, 0.067 font ",8" format "%.2g"
    set xrange [-0.5:15.5]
    set yrange [15.5:-0.5]
    plot "attention-evidence-imagenette-beta1000.dat" index 1 matrix with image notitle
    unset label
    # panel row=teacher col=stage2
    set lmargin at screen 0.4575
    set rmargin at screen 0.6200
    set bmargin at screen 0.2411
    set tmargin at screen 0.7021
    set cbrange [0:0.279]
    set colorbox user horizontal origin screen 0.4825, 0.0851 size screen 0.1125, 0.0355
    set cbtics 0, 0.1395 font ",8" format "%.2g"
    set xrange [-0.5:7.5]
    set yrange [7.5:-0.5]
    plot "attention-evidence-imagenette-beta1000.dat" index 5 matrix with image notitle
    unset label
    # panel row=teacher col=stage3
    set lmargin at screen 0.6375
    set rmargin at screen 0.8000
    set bmargin at screen 0.2411
    set tmargin at screen 0.7021
    set cbrange [0:0.464]
    set colorbox user horizontal origin screen 0.6625, 0.0851 size screen 0.1125, 0.0355
    set cbtics 0, 0.232 font ",8" format "%.2g"
    set xrange [-0.5:3.5]
    set yrange [3.5:-0.5]
    plot "attention-evidence-imagenette-beta1000.dat" index 9 matrix with image notitle
    unset label
    # panel row=teacher col=stage4
    set lmargin at screen 0.8175
    set rmargin at screen 0.9800
    set bmargin at screen 0.2411
    set tmargin at screen 0.7021
    set cbrange [0:0.98]
    set colorbox user horizontal origin screen 0.8425, 0.0851 size screen 0.1125, 0.0355
    set cbtics 0, 0.49 font ",8" format "%.2g"
    set xrange [-0.5:1.5]
    set yrange [1.5:-0.5]
    plot "attention-evidence-imagenette-beta1000.dat" index 13 matrix with image notitle
    unset label
    
    unset multiplot
    set output
}
