# imagenette-cpu: attention maps, test image 1 (tench)
# Written by `atkd report`. Re-plot with: gnuplot <this folder>/attention-imagenette-cpu-img1.gp
# Data: attention-imagenette-cpu.dat, attention-imagenette-cpu-inputs.dat (read relative to this script's folder).
if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 800,906 font "sans,10" noenhanced
        set output "attention-imagenette-cpu-img1.png"
    } else {
        set terminal svg size 800,906 font "sans,10" noenhanced background "white"
        set output "attention-imagenette-cpu-img1.svg"
    }
    reset
    set datafile missing "nan"
    set multiplot title "imagenette-cpu: attention maps of test image 1 (tench)\none colour scale per tap column; d = ‖q̂ − q̂_teacher‖₂ (0: the teacher's map)" font ",10"
    set palette defined (0 "#000004", 0.25 "#51127c", 0.5 "#b73779", 0.75 "#fc8961", 1 "#fcfdbf")
    unset xtics
    unset ytics
    unset key
    set label "input" at screen 0.1788, 0.9161 center font ",10"
    set label "stage1 (16×16)" at screen 0.3588, 0.9161 center font ",10"
    set label "stage2 (8×8)" at screen 0.5388, 0.9161 center font ",10"
    set label "stage3 (4×4)" at screen 0.7188, 0.9161 center font ",10"
    set label "stage4 (2×2)" at screen 0.8987, 0.9161 center font ",10"
    set label "teacher" at screen 0.0875, 0.8355 right font ",10"
    set label "ce" at screen 0.0875, 0.6634 right font ",10"
    set label "kd" at screen 0.0875, 0.4912 right font ",10"
    set label "at" at screen 0.0875, 0.3190 right font ",10"
    set label "atkd" at screen 0.0875, 0.1468 right font ",10"
    # panel row=teacher col=input
    set lmargin at screen 0.0975
    set rmargin at screen 0.2600
    set bmargin at screen 0.7638
    set tmargin at screen 0.9073
    set xrange [-0.5:63.5]
    set yrange [63.5:-0.5]
    unset colorbox
    plot "attention-imagenette-cpu-inputs.dat" index 1 using 1:2:3:4:5 with rgbimage notitle
    unset label
    # panel row=ce col=input
    set lmargin at screen 0.0975
    set rmargin at screen 0.2600
    set bmargin at screen 0.5916
    set tmargin at screen 0.7351
    set xrange [-0.5:63.5]
    set yrange [63.5:-0.5]
    unset colorbox
    plot "attention-imagenette-cpu-inputs.dat" index 1 using 1:2:3:4:5 with rgbimage notitle
    # panel row=kd col=input
    set lmargin at screen 0.0975
    set rmargin at screen 0.2600
    set bmargin at screen 0.4194
    set tmargin at screen 0.5629
    set xrange [-0.5:63.5]
    set yrange [63.5:-0.5]
    unset colorbox
    plot "attention-imagenette-cpu-inputs.dat" index 1 using 1:2:3:4:5 with rgbimage notitle
    # panel row=at col=input
    set lmargin at screen 0.0975
    set rmargin at screen 0.2600
    set bmargin at screen 0.2472
    set tmargin at screen 0.3907
    set xrange [-0.5:63.5]
    set yrange [63.5:-0.5]
    unset colorbox
    plot "attention-imagenette-cpu-inputs.dat" index 1 using 1:2:3:4:5 with rgbimage notitle
    # panel row=atkd col=input
    set lmargin at screen 0.0975
    set rmargin at screen 0.2600
    set bmargin at screen 0.0751
    set tmargin at screen 0.2185
    set xrange [-0.5:63.5]
    set yrange [63.5:-0.5]
    unset colorbox
    plot "attention-imagenette-cpu-inputs.dat" index 1 using 1:2:3:4:5 with rgbimage notitle
    # panel row=teacher col=stage1
    set lmargin at screen 0.2775
    set rmargin at screen 0.4400
    set bmargin at screen 0.7638
    set tmargin at screen 0.9073
    set cbrange [0:0.272]
    unset colorbox
    set xrange [-0.5:15.5]
    set yrange [15.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 1 matrix with image notitle
    unset label
    # panel row=teacher col=stage2
    set lmargin at screen 0.4575
    set rmargin at screen 0.6200
    set bmargin at screen 0.7638
    set tmargin at screen 0.9073
    set cbrange [0:0.456]
    unset colorbox
    set xrange [-0.5:7.5]
    set yrange [7.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 5 matrix with image notitle
    unset label
    # panel row=teacher col=stage3
    set lmargin at screen 0.6375
    set rmargin at screen 0.8000
    set bmargin at screen 0.7638
    set tmargin at screen 0.9073
    set cbrange [0:0.582]
    unset colorbox
    set xrange [-0.5:3.5]
    set yrange [3.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 9 matrix with image notitle
    unset label
    # panel row=teacher col=stage4
    set lmargin at screen 0.8175
    set rmargin at screen 0.9800
    set bmargin at screen 0.7638
    set tmargin at screen 0.9073
    set cbrange [0:0.914]
    unset colorbox
    set xrange [-0.5:1.5]
    set yrange [1.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 13 matrix with image notitle
    unset label
    # panel row=ce col=stage1
    set lmargin at screen 0.2775
    set rmargin at screen 0.4400
    set bmargin at screen 0.5916
    set tmargin at screen 0.7351
    set cbrange [0:0.272]
    unset colorbox
    set label 101 "d = 0.932" at screen 0.3588, 0.5784 center font ",9"
    set xrange [-0.5:15.5]
    set yrange [15.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 17 matrix with image notitle
    unset label
    # panel row=ce col=stage2
    set lmargin at screen 0.4575
    set rmargin at screen 0.6200
    set bmargin at screen 0.5916
    set tmargin at screen 0.7351
    set cbrange [0:0.456]
    unset colorbox
    set label 101 "d = 1.021" at screen 0.5388, 0.5784 center font ",9"
    set xrange [-0.5:7.5]
    set yrange [7.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 21 matrix with image notitle
    unset label
    # panel row=ce col=stage3
    set lmargin at screen 0.6375
    set rmargin at screen 0.8000
    set bmargin at screen 0.5916
    set tmargin at screen 0.7351
    set cbrange [0:0.582]
    unset colorbox
    set label 101 "d = 0.670" at screen 0.7188, 0.5784 center font ",9"
    set xrange [-0.5:3.5]
    set yrange [3.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 25 matrix with image notitle
    unset label
    # panel row=ce col=stage4
    set lmargin at screen 0.8175
    set rmargin at screen 0.9800
    set bmargin at screen 0.5916
    set tmargin at screen 0.7351
    set cbrange [0:0.914]
    unset colorbox
    set label 101 "d = 0.700" at screen 0.8987, 0.5784 center font ",9"
    set xrange [-0.5:1.5]
    set yrange [1.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 29 matrix with image notitle
    unset label
    # panel row=kd col=stage1
    set lmargin at screen 0.2775
    set rmargin at screen 0.4400
    set bmargin at screen 0.4194
    set tmargin at screen 0.5629
    set cbrange [0:0.272]
    unset colorbox
    set label 101 "d = 0.468" at screen 0.3588, 0.4062 center font ",9"
    set xrange [-0.5:15.5]
    set yrange [15.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 33 matrix with image notitle
    unset label
    # panel row=kd col=stage2
    set lmargin at screen 0.4575
    set rmargin at screen 0.6200
    set bmargin at screen 0.4194
    set tmargin at screen 0.5629
    set cbrange [0:0.456]
    unset colorbox
    set label 101 "d = 0.551" at screen 0.5388, 0.4062 center font ",9"
    set xrange [-0.5:7.5]
    set yrange [7.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 37 matrix with image notitle
    unset label
    # panel row=kd col=stage3
    set lmargin at screen 0.6375
    set rmargin at screen 0.8000
    set bmargin at screen 0.4194
    set tmargin at screen 0.5629
    set cbrange [0:0.582]
    unset colorbox
    set label 101 "d = 0.600" at screen 0.7188, 0.4062 center font ",9"
    set xrange [-0.5:3.5]
    set yrange [3.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 41 matrix with image notitle
    unset label
    # panel row=kd col=stage4
    set lmargin at screen 0.8175
    set rmargin at screen 0.9800
    set bmargin at screen 0.4194
    set tmargin at screen 0.5629
    set cbrange [0:0.914]
    unset colorbox
    set label 101 "d = 0.687" at screen 0.8987, 0.4062 center font ",9"
    set xrange [-0.5:1.5]
    set yrange [1.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 45 matrix with image notitle
    unset label
    # panel row=at col=stage1
    set lmargin at screen 0.2775
    set rmargin at screen 0.4400
    set bmargin at screen 0.2472
    set tmargin at screen 0.3907
    set cbrange [0:0.272]
    unset colorbox
    set label 101 "d = 0.291" at screen 0.3588, 0.2340 center font ",9"
    set xrange [-0.5:15.5]
    set yrange [15.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 49 matrix with image notitle
    unset label
    # panel row=at col=stage2
    set lmargin at screen 0.4575
    set rmargin at screen 0.6200
    set bmargin at screen 0.2472
    set tmargin at screen 0.3907
    set cbrange [0:0.456]
    unset colorbox
    set label 101 "d = 0.153" at screen 0.5388, 0.2340 center font ",9"
    set xrange [-0.5:7.5]
    set yrange [7.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 53 matrix with image notitle
    unset label
    # panel row=at col=stage3
    set lmargin at screen 0.6375
    set rmargin at screen 0.8000
    set bmargin at screen 0.2472
    set tmargin at screen 0.3907
    set cbrange [0:0.582]
    unset colorbox
    set label 101 "d = 0.161" at screen 0.7188, 0.2340 center font ",9"
    set xrange [-0.5:3.5]
    set yrange [3.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 57 matrix with image notitle
    unset label
    # panel row=at col=stage4
    set lmargin at screen 0.8175
    set rmargin at screen 0.9800
    set bmargin at screen 0.2472
    set tmargin at screen 0.3907
    set cbrange [0:0.914]
    unset colorbox
    set label 101 "d = 0.129" at screen 0.8987, 0.2340 center font ",9"
    set xrange [-0.5:1.5]
    set yrange [1.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 61 matrix with image notitle
    unset label
    # panel row=atkd col=stage1
    set lmargin at screen 0.2775
    set rmargin at screen 0.4400
    set bmargin at screen 0.0751
    set tmargin at screen 0.2185
    set cbrange [0:0.272]
    set colorbox user horizontal origin screen 0.3025, 0.0265 size screen 0.1125, 0.0110
    set cbtics 0, 0.136 font ",8" format "%.2g"
    set label 101 "d = 0.311" at screen 0.3588, 0.0607 center font ",9"
    set xrange [-0.5:15.5]
    set yrange [15.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 65 matrix with image notitle
    unset label
    # panel row=atkd col=stage2
    set lmargin at screen 0.4575
    set rmargin at screen 0.6200
    set bmargin at screen 0.0751
    set tmargin at screen 0.2185
    set cbrange [0:0.456]
    set colorbox user horizontal origin screen 0.4825, 0.0265 size screen 0.1125, 0.0110
    set cbtics 0, 0.228 font ",8" format "%.2g"
    set label 101 "d = 0.170" at screen 0.5388, 0.0607 center font ",9"
    set xrange [-0.5:7.5]
    set yrange [7.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 69 matrix with image notitle
    unset label
    # panel row=atkd col=stage3
    set lmargin at screen 0.6375
    set rmargin at screen 0.8000
    set bmargin at screen 0.0751
    set tmargin at screen 0.2185
    set cbrange [0:0.582]
    set colorbox user horizontal origin screen 0.6625, 0.0265 size screen 0.1125, 0.0110
    set cbtics 0, 0.291 font ",8" format "%.2g"
    set label 101 "d = 0.165" at screen 0.7188, 0.0607 center font ",9"
    set xrange [-0.5:3.5]
    set yrange [3.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 73 matrix with image notitle
    unset label
    # panel row=atkd col=stage4
    set lmargin at screen 0.8175
    set rmargin at screen 0.9800
    set bmargin at screen 0.0751
    set tmargin at screen 0.2185
    set cbrange [0:0.914]
    set colorbox user horizontal origin screen 0.8425, 0.0265 size screen 0.1125, 0.0110
    set cbtics 0, 0.457 font ",8" format "%.2g"
    set label 101 "d = 0.132" at screen 0.8987, 0.0607 center font ",9"
    set xrange [-0.5:1.5]
    set yrange [1.5:-0.5]
    plot "attention-imagenette-cpu.dat" index 77 matrix with image notitle
    unset label
    
    unset multiplot
    set output
}
