# cifar-cpu: attention maps, test image 1 (frog)
# Written by `atkd report`. Re-plot with: gnuplot <this folder>/attention-cifar-cpu-img1.gp
# Data: attention-cifar-cpu.dat, attention-cifar-cpu-inputs.dat (read relative to this script's folder).
if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 800,906 font "sans,10" noenhanced
        set output "attention-cifar-cpu-img1.png"
    } else {
        set terminal svg size 800,906 font "sans,10" noenhanced background "white"
        set output "attention-cifar-cpu-img1.svg"
    }
    reset
    set datafile missing "nan"
    set multiplot title "cifar-cpu: attention maps of test image 1 (frog)\none colour scale per tap column; d = ‖q̂ − q̂_teacher‖₂ (0: the teacher's map)" font ",10"
    set palette defined (0 "#000004", 0.25 "#51127c", 0.5 "#b73779", 0.75 "#fc8961", 1 "#fcfdbf")
    unset xtics
    unset ytics
    unset key
    set label "input" at screen 0.1788, 0.9161 center font ",10"
    set label "stage1 (32×32)" at screen 0.3588, 0.9161 center font ",10"
    set label "stage2 (16×16)" at screen 0.5388, 0.9161 center font ",10"
    set label "stage3 (8×8)" at screen 0.7188, 0.9161 center font ",10"
    set label "stage4 (4×4)" at screen 0.8987, 0.9161 center font ",10"
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
    set xrange [-0.5:31.5]
    set yrange [31.5:-0.5]
    unset colorbox
    plot "attention-cifar-cpu-inputs.dat" index 1 using 1:2:3:4:5 with rgbimage notitle
    unset label
    # panel row=ce col=input
    set lmargin at screen 0.0975
    set rmargin at screen 0.2600
    set bmargin at screen 0.5916
    set tmargin at screen 0.7351
    set xrange [-0.5:31.5]
    set yrange [31.5:-0.5]
    unset colorbox
    plot "attention-cifar-cpu-inputs.dat" index 1 using 1:2:3:4:5 with rgbimage notitle
    # panel row=kd col=input
    set lmargin at screen 0.0975
    set rmargin at screen 0.2600
    set bmargin at screen 0.4194
    set tmargin at screen 0.5629
    set xrange [-0.5:31.5]
    set yrange [31.5:-0.5]
    unset colorbox
    plot "attention-cifar-cpu-inputs.dat" index 1 using 1:2:3:4:5 with rgbimage notitle
    # panel row=at col=input
    set lmargin at screen 0.0975
    set rmargin at screen 0.2600
    set bmargin at screen 0.2472
    set tmargin at screen 0.3907
    set xrange [-0.5:31.5]
    set yrange [31.5:-0.5]
    unset colorbox
    plot "attention-cifar-cpu-inputs.dat" index 1 using 1:2:3:4:5 with rgbimage notitle
    # panel row=atkd col=input
    set lmargin at screen 0.0975
    set rmargin at screen 0.2600
    set bmargin at screen 0.0751
    set tmargin at screen 0.2185
    set xrange [-0.5:31.5]
    set yrange [31.5:-0.5]
    unset colorbox
    plot "attention-cifar-cpu-inputs.dat" index 1 using 1:2:3:4:5 with rgbimage notitle
    # panel row=teacher col=stage1
    set lmargin at screen 0.2775
    set rmargin at screen 0.4400
    set bmargin at screen 0.7638
    set tmargin at screen 0.9073
    set cbrange [0:0.154]
    unset colorbox
    set xrange [-0.5:31.5]
    set yrange [31.5:-0.5]
    plot "attention-cifar-cpu.dat" index 1 matrix with image notitle
    unset label
    # panel row=teacher col=stage2
    set lmargin at screen 0.4575
    set rmargin at screen 0.6200
    set bmargin at screen 0.7638
    set tmargin at screen 0.9073
    set cbrange [0:0.219]
    unset colorbox
    set xrange [-0.5:15.5]
    set yrange [15.5:-0.5]
    plot "attention-cifar-cpu.dat" index 5 matrix with image notitle
    unset label
    # panel row=teacher col=stage3
    set lmargin at screen 0.6375
    set rmargin at screen 0.8000
    set bmargin at screen 0.7638
    set tmargin at screen 0.9073
    set cbrange [0:0.289]
    unset colorbox
    set xrange [-0.5:7.5]
    set yrange [7.5:-0.5]
    plot "attention-cifar-cpu.dat" index 9 matrix with image notitle
    unset label
    # panel row=teacher col=stage4
    set lmargin at screen 0.8175
    set rmargin at screen 0.9800
    set bmargin at screen 0.7638
    set tmargin at screen 0.9073
    set cbrange [0:0.558]
    unset colorbox
    set xrange [-0.5:3.5]
    set yrange [3.5:-0.5]
    plot "attention-cifar-cpu.dat" index 13 matrix with image notitle
    unset label
    # panel row=ce col=stage1
    set lmargin at screen 0.2775
    set rmargin at screen 0.4400
    set bmargin at screen 0.5916
    set tmargin at screen 0.7351
    set cbrange [0:0.154]
    unset colorbox
    set label 101 "d = 0.523" at screen 0.3588, 0.5784 center font ",9"
    set xrange [-0.5:31.5]
    set yrange [31.5:-0.5]
    plot "attention-cifar-cpu.dat" index 17 matrix with image notitle
    unset label
    # panel row=ce col=stage2
    set lmargin at screen 0.4575
    set rmargin at screen 0.6200
    set bmargin at screen 0.5916
    set tmargin at screen 0.7351
    set cbrange [0:0.219]
    unset colorbox
    set label 101 "d = 0.562" at screen 0.5388, 0.5784 center font ",9"
    set xrange [-0.5:15.5]
    set yrange [15.5:-0.5]
    plot "attention-cifar-cpu.dat" index 21 matrix with image notitle
    unset label
    # panel row=ce col=stage3
    set lmargin at screen 0.6375
    set rmargin at screen 0.8000
    set bmargin at screen 0.5916
    set tmargin at screen 0.7351
    set cbrange [0:0.289]
    unset colorbox
    set label 101 "d = 0.366" at screen 0.7188, 0.5784 center font ",9"
    set xrange [-0.5:7.5]
    set yrange [7.5:-0.5]
    plot "attention-cifar-cpu.dat" index 25 matrix with image notitle
    unset label
    # panel row=ce col=stage4
    set lmargin at screen 0.8175
    set rmargin at screen 0.9800
    set bmargin at screen 0.5916
    set tmargin at screen 0.7351
    set cbrange [0:0.558]
    unset colorbox
    set label 101 "d = 0.483" at screen 0.8987, 0.5784 center font ",9"
    set xrange [-0.5:3.5]
    set yrange [3.5:-0.5]
    plot "attention-cifar-cpu.dat" index 29 matrix with image notitle
    unset label
    # panel row=kd col=stage1
    set lmargin at screen 0.2775
    set rmargin at screen 0.4400
    set bmargin at screen 0.4194
    set tmargin at screen 0.5629
    set cbrange [0:0.154]
    unset colorbox
    set label 101 "d = 0.489" at screen 0.3588, 0.4062 center font ",9"
    set xrange [-0.5:31.5]
    set yrange [31.5:-0.5]
    plot "attention-cifar-cpu.dat" index 33 matrix with image notitle
    unset label
    # panel row=kd col=stage2
    set lmargin at screen 0.4575
    set rmargin at screen 0.6200
    set bmargin at screen 0.4194
    set tmargin at screen 0.5629
    set cbrange [0:0.219]
    unset colorbox
    set label 101 "d = 0.456" at screen 0.5388, 0.4062 center font ",9"
    set xrange [-0.5:15.5]
    set yrange [15.5:-0.5]
    plot "attention-cifar-cpu.dat" index 37 matrix with image notitle
    unset label
    # panel row=kd col=stage3
    set lmargin at screen 0.6375
    set rmargin at screen 0.8000
    set bmargin at screen 0.4194
    set tmargin at screen 0.5629
    set cbrange [0:0.289]
    unset colorbox
    set label 101 "d = 0.442" at screen 0.7188, 0.4062 center font ",9"
    set xrange [-0.5:7.5]
    set yrange [7.5:-0.5]
    plot "attention-cifar-cpu.dat" index 41 matrix with image notitle
    unset label
    # panel row=kd col=stage4
    set lmargin at screen 0.8175
    set rmargin at screen 0.9800
    set bmargin at screen 0.4194
    set tmargin at screen 0.5629
    set cbrange [0:0.558]
    unset colorbox
    set label 101 "d = 0.388" at screen 0.8987, 0.4062 center font ",9"
    set xrange [-0.5:3.5]
    set yrange [3.5:-0.5]
    plot "attention-cifar-cpu.dat" index 45 matrix with image notitle
    unset label
    # panel row=at col=stage1
    set lmargin at screen 0.2775
    set rmargin at screen 0.4400
    set bmargin at screen 0.2472
    set tmargin at screen 0.3907
    set cbrange [0:0.154]
    unset colorbox
    set label 101 "d = 0.210" at screen 0.3588, 0.2340 center font ",9"
    set xrange [-0.5:31.5]
    set yrange [31.5:-0.5]
    plot "attention-cifar-cpu.dat" index 49 matrix with image notitle
    unset label
    # panel row=at col=stage2
    set lmargin at screen 0.4575
    set rmargin at screen 0.6200
    set bmargin at screen 0.2472
    set tmargin at screen 0.3907
    set cbrange [0:0.219]
    unset colorbox
    set label 101 "d = 0.176" at screen 0.5388, 0.2340 center font ",9"
    set xrange [-0.5:15.5]
    set yrange [15.5:-0.5]
    plot "attention-cifar-cpu.dat" index 53 matrix with image notitle
    unset label
    # panel row=at col=stage3
    set lmargin at screen 0.6375
    set rmargin at screen 0.8000
    set bmargin at screen 0.2472
    set tmargin at screen 0.3907
    set cbrange [0:0.289]
    unset colorbox
    set label 101 "d = 0.115" at screen 0.7188, 0.2340 center font ",9"
    set xrange [-0.5:7.5]
    set yrange [7.5:-0.5]
    plot "attention-cifar-cpu.dat" index 57 matrix with image notitle
    unset label
    # panel row=at col=stage4
    set lmargin at screen 0.8175
    set rmargin at screen 0.9800
    set bmargin at screen 0.2472
    set tmargin at screen 0.3907
    set cbrange [0:0.558]
    unset colorbox
    set label 101 "d = 0.105" at screen 0.8987, 0.2340 center font ",9"
    set xrange [-0.5:3.5]
    set yrange [3.5:-0.5]
    plot "attention-cifar-cpu.dat" index 61 matrix with image notitle
    unset label
    # panel row=atkd col=stage1
    set lmargin at screen 0.2775
    set rmargin at screen 0.4400
    set bmargin at screen 0.0751
    set tmargin at screen 0.2185
    set cbrange [0:0.154]
    set colorbox user horizontal origin screen 0.3025, 0.0265 size screen 0.1125, 0.0110
    set cbtics 0, 0.077 font ",8" format "%.2g"
    set label 101 "d = 0.196" at screen 0.3588, 0.0607 center font ",9"
    set xrange [-0.5:31.5]
    set yrange [31.5:-0.5]
    plot "attention-cifar-cpu.dat" index 65 matrix with image notitle
    unset label
    # panel row=atkd col=stage2
    set lmargin at screen 0.4575
    set rmargin at screen 0.6200
    set bmargin at screen 0.0751
    set tmargin at screen 0.2185
    set cbrange [0:0.219]
    set colorbox user horizontal origin screen 0.4825, 0.0265 size screen 0.1125, 0.0110
    set cbtics 0, 0.1095 font ",8" format "%.2g"
    set label 101 "d = 0.176" at screen 0.5388, 0.0607 center font ",9"
    set xrange [-0.5:15.5]
    set yrange [15.5:-0.5]
    plot "attention-cifar-cpu.dat" index 69 matrix with image notitle
    unset label
    # panel row=atkd col=stage3
    set lmargin at screen 0.6375
    set rmargin at screen 0.8000
    set bmargin at screen 0.0751
    set tmargin at screen 0.2185
    set cbrange [0:0.289]
    set colorbox user horizontal origin screen 0.6625, 0.0265 size screen 0.1125, 0.0110
    set cbtics 0, 0.1445 font ",8" format "%.2g"
    set label 101 "d = 0.133" at screen 0.7188, 0.0607 center font ",9"
    set xrange [-0.5:7.5]
    set yrange [7.5:-0.5]
    plot "attention-cifar-cpu.dat" index 73 matrix with image notitle
    unset label
    # panel row=atkd col=stage4
    set lmargin at screen 0.8175
    set rmargin at screen 0.9800
    set bmargin at screen 0.0751
    set tmargin at screen 0.2185
    set cbrange [0:0.558]
    set colorbox user horizontal origin screen 0.8425, 0.0265 size screen 0.1125, 0.0110
    set cbtics 0, 0.279 font ",8" format "%.2g"
    set label 101 "d = 0.126" at screen 0.8987, 0.0607 center font ",9"
    set xrange [-0.5:3.5]
    set yrange [3.5:-0.5]
    plot "attention-cifar-cpu.dat" index 77 matrix with image notitle
    unset label
    
    unset multiplot
    set output
}
