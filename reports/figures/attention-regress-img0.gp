# regress: attention maps, test image 0 (airplane)
# Written by `atkd report`. Re-plot with: gnuplot <this folder>/attention-regress-img0.gp
# Data: attention-regress.dat, attention-regress-inputs.dat (read relative to this script's folder).
if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 656,906 font "sans,10" noenhanced
        set output "attention-regress-img0.png"
    } else {
        set terminal svg size 656,906 font "sans,10" noenhanced background "white"
        set output "attention-regress-img0.svg"
    }
    reset
    set datafile missing "nan"
    set multiplot title "regress: attention maps of test image 0 (airplane)\none colour scale per tap column; d = ‖q̂ − q̂_teacher‖₂ (0: the teacher's map)" font ",10"
    set palette defined (0 "#000004", 0.25 "#51127c", 0.5 "#b73779", 0.75 "#fc8961", 1 "#fcfdbf")
    unset xtics
    unset ytics
    unset key
    set label "input" at screen 0.2180, 0.9161 center font ",10"
    set label "stage1 (32×32)" at screen 0.4375, 0.9161 center font ",10"
    set label "stage2 (16×16)" at screen 0.6570, 0.9161 center font ",10"
    set label "stage3 (8×8)" at screen 0.8765, 0.9161 center font ",10"
    set label "teacher" at screen 0.1067, 0.8355 right font ",10"
    set label "ce" at screen 0.1067, 0.6634 right font ",10"
    set label "kd" at screen 0.1067, 0.4912 right font ",10"
    set label "at" at screen 0.1067, 0.3190 right font ",10"
    set label "atkd" at screen 0.1067, 0.1468 right font ",10"
    # panel row=teacher col=input
    set lmargin at screen 0.1189
    set rmargin at screen 0.3171
    set bmargin at screen 0.7638
    set tmargin at screen 0.9073
    set xrange [-0.5:31.5]
    set yrange [31.5:-0.5]
    unset colorbox
    plot "attention-regress-inputs.dat" index 0 using 1:2:3:4:5 with rgbimage notitle
    unset label
    # panel row=ce col=input
    set lmargin at screen 0.1189
    set rmargin at screen 0.3171
    set bmargin at screen 0.5916
    set tmargin at screen 0.7351
    set xrange [-0.5:31.5]
    set yrange [31.5:-0.5]
    unset colorbox
    plot "attention-regress-inputs.dat" index 0 using 1:2:3:4:5 with rgbimage notitle
    # panel row=kd col=input
    set lmargin at screen 0.1189
    set rmargin at screen 0.3171
    set bmargin at screen 0.4194
    set tmargin at screen 0.5629
    set xrange [-0.5:31.5]
    set yrange [31.5:-0.5]
    unset colorbox
    plot "attention-regress-inputs.dat" index 0 using 1:2:3:4:5 with rgbimage notitle
    # panel row=at col=input
    set lmargin at screen 0.1189
    set rmargin at screen 0.3171
    set bmargin at screen 0.2472
    set tmargin at screen 0.3907
    set xrange [-0.5:31.5]
    set yrange [31.5:-0.5]
    unset colorbox
    plot "attention-regress-inputs.dat" index 0 using 1:2:3:4:5 with rgbimage notitle
    # panel row=atkd col=input
    set lmargin at screen 0.1189
    set rmargin at screen 0.3171
    set bmargin at screen 0.0751
    set tmargin at screen 0.2185
    set xrange [-0.5:31.5]
    set yrange [31.5:-0.5]
    unset colorbox
    plot "attention-regress-inputs.dat" index 0 using 1:2:3:4:5 with rgbimage notitle
    # panel row=teacher col=stage1
    set lmargin at screen 0.3384
    set rmargin at screen 0.5366
    set bmargin at screen 0.7638
    set tmargin at screen 0.9073
    set cbrange [0:0.141]
    unset colorbox
    set xrange [-0.5:31.5]
    set yrange [31.5:-0.5]
    plot "attention-regress.dat" index 0 matrix with image notitle
    unset label
    # panel row=teacher col=stage2
    set lmargin at screen 0.5579
    set rmargin at screen 0.7561
    set bmargin at screen 0.7638
    set tmargin at screen 0.9073
    set cbrange [0:0.218]
    unset colorbox
    set xrange [-0.5:15.5]
    set yrange [15.5:-0.5]
    plot "attention-regress.dat" index 4 matrix with image notitle
    unset label
    # panel row=teacher col=stage3
    set lmargin at screen 0.7774
    set rmargin at screen 0.9756
    set bmargin at screen 0.7638
    set tmargin at screen 0.9073
    set cbrange [0:0.346]
    unset colorbox
    set xrange [-0.5:7.5]
    set yrange [7.5:-0.5]
    plot "attention-regress.dat" index 8 matrix with image notitle
    unset label
    # panel row=ce col=stage1
    set lmargin at screen 0.3384
    set rmargin at screen 0.5366
    set bmargin at screen 0.5916
    set tmargin at screen 0.7351
    set cbrange [0:0.141]
    unset colorbox
    set label 101 "d = 0.698" at screen 0.4375, 0.5784 center font ",9"
    set xrange [-0.5:31.5]
    set yrange [31.5:-0.5]
    plot "attention-regress.dat" index 12 matrix with image notitle
    unset label
    # panel row=ce col=stage2
    set lmargin at screen 0.5579
    set rmargin at screen 0.7561
    set bmargin at screen 0.5916
    set tmargin at screen 0.7351
    set cbrange [0:0.218]
    unset colorbox
    set label 101 "d = 0.485" at screen 0.6570, 0.5784 center font ",9"
    set xrange [-0.5:15.5]
    set yrange [15.5:-0.5]
    plot "attention-regress.dat" index 16 matrix with image notitle
    unset label
    # panel row=ce col=stage3
    set lmargin at screen 0.7774
    set rmargin at screen 0.9756
    set bmargin at screen 0.5916
    set tmargin at screen 0.7351
    set cbrange [0:0.346]
    unset colorbox
    set label 101 "d = 0.370" at screen 0.8765, 0.5784 center font ",9"
    set xrange [-0.5:7.5]
    set yrange [7.5:-0.5]
    plot "attention-regress.dat" index 20 matrix with image notitle
    unset label
    # panel row=kd col=stage1
    set lmargin at screen 0.3384
    set rmargin at screen 0.5366
    set bmargin at screen 0.4194
    set tmargin at screen 0.5629
    set cbrange [0:0.141]
    unset colorbox
    set label 101 "d = 0.566" at screen 0.4375, 0.4062 center font ",9"
    set xrange [-0.5:31.5]
    set yrange [31.5:-0.5]
    plot "attention-regress.dat" index 24 matrix with image notitle
    unset label
    # panel row=kd col=stage2
    set lmargin at screen 0.5579
    set rmargin at screen 0.7561
    set bmargin at screen 0.4194
    set tmargin at screen 0.5629
    set cbrange [0:0.218]
    unset colorbox
    set label 101 "d = 0.664" at screen 0.6570, 0.4062 center font ",9"
    set xrange [-0.5:15.5]
    set yrange [15.5:-0.5]
    plot "attention-regress.dat" index 28 matrix with image notitle
    unset label
    # panel row=kd col=stage3
    set lmargin at screen 0.7774
    set rmargin at screen 0.9756
    set bmargin at screen 0.4194
    set tmargin at screen 0.5629
    set cbrange [0:0.346]
    unset colorbox
    set label 101 "d = 0.546" at screen 0.8765, 0.4062 center font ",9"
    set xrange [-0.5:7.5]
    set yrange [7.5:-0.5]
    plot "attention-regress.dat" index 32 matrix with image notitle
    unset label
    # panel row=at col=stage1
    set lmargin at screen 0.3384
    set rmargin at screen 0.5366
    set bmargin at screen 0.2472
    set tmargin at screen 0.3907
    set cbrange [0:0.141]
    unset colorbox
    set label 101 "d = 0.288" at screen 0.4375, 0.2340 center font ",9"
    set xrange [-0.5:31.5]
    set yrange [31.5:-0.5]
    plot "attention-regress.dat" index 36 matrix with image notitle
    unset label
    # panel row=at col=stage2
    set lmargin at screen 0.5579
    set rmargin at screen 0.7561
    set bmargin at screen 0.2472
    set tmargin at screen 0.3907
    set cbrange [0:0.218]
    unset colorbox
    set label 101 "d = 0.198" at screen 0.6570, 0.2340 center font ",9"
    set xrange [-0.5:15.5]
    set yrange [15.5:-0.5]
    plot "attention-regress.dat" index 40 matrix with image notitle
    unset label
    # panel row=at col=stage3
    set lmargin at screen 0.7774
    set rmargin at screen 0.9756
    set bmargin at screen 0.2472
    set tmargin at screen 0.3907
    set cbrange [0:0.346]
    unset colorbox
    set label 101 "d = 0.177" at screen 0.8765, 0.2340 center font ",9"
    set xrange [-0.5:7.5]
    set yrange [7.5:-0.5]
    plot "attention-regress.dat" index 44 matrix with image notitle
    unset label
    # panel row=atkd col=stage1
    set lmargin at screen 0.3384
    set rmargin at screen 0.5366
    set bmargin at screen 0.0751
    set tmargin at screen 0.2185
    set cbrange [0:0.141]
    set colorbox user horizontal origin screen 0.3689, 0.0265 size screen 0.1372, 0.0110
    set cbtics 0, 0.0705 font ",8" format "%.2g"
    set label 101 "d = 0.297" at screen 0.4375, 0.0607 center font ",9"
    set xrange [-0.5:31.5]
    set yrange [31.5:-0.5]
    plot "attention-regress.dat" index 48 matrix with image notitle
    unset label
    # panel row=atkd col=stage2
    set lmargin at screen 0.5579
    set rmargin at screen 0.7561
    set bmargin at screen 0.0751
    set tmargin at screen 0.2185
    set cbrange [0:0.218]
    set colorbox user horizontal origin screen 0.5884, 0.0265 size screen 0.1372, 0.0110
    set cbtics 0, 0.109 font ",8" format "%.2g"
    set label 101 "d = 0.193" at screen 0.6570, 0.0607 center font ",9"
    set xrange [-0.5:15.5]
    set yrange [15.5:-0.5]
    plot "attention-regress.dat" index 52 matrix with image notitle
    unset label
    # panel row=atkd col=stage3
    set lmargin at screen 0.7774
    set rmargin at screen 0.9756
    set bmargin at screen 0.0751
    set tmargin at screen 0.2185
    set cbrange [0:0.346]
    set colorbox user horizontal origin screen 0.8079, 0.0265 size screen 0.1372, 0.0110
    set cbtics 0, 0.173 font ",8" format "%.2g"
    set label 101 "d = 0.187" at screen 0.8765, 0.0607 center font ",9"
    set xrange [-0.5:7.5]
    set yrange [7.5:-0.5]
    plot "attention-regress.dat" index 56 matrix with image notitle
    unset label
    
    unset multiplot
    set output
}
