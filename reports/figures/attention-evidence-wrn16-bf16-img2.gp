# evidence-wrn16-bf16: attention maps, test image 2 (cat)
# Written by `atkd report`. Re-plot with: gnuplot <this folder>/attention-evidence-wrn16-bf16-img2.gp
# Data: attention-evidence-wrn16-bf16.dat, attention-evidence-wrn16-bf16-inputs.dat (read relative to this script's folder).
if (strlen(ARG0) > 0) { cd system(sprintf("dirname '%s'", ARG0)) }
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 656,282 font "sans,10" noenhanced
        set output "attention-evidence-wrn16-bf16-img2.png"
    } else {
        set terminal svg size 656,282 font "sans,10" noenhanced background "white"
        set output "attention-evidence-wrn16-bf16-img2.svg"
    }
    reset
    set datafile missing "nan"
    set multiplot title "evidence-wrn16-bf16: attention maps of test image 2 (cat)\none colour scale per tap column; d = ‖q̂ − q̂_teacher‖₂ (0: the teacher's map)" font ",10"
    set palette defined (0 "#000004", 0.25 "#51127c", 0.5 "#b73779", 0.75 "#fc8961", 1 "#fcfdbf")
    unset xtics
    unset ytics
    unset key
    set label "input" at screen 0.2180, 0.7305 center font ",10"
    set label "stage1 (32×32)" at screen 0.4375, 0.7305 center font ",10"
    set label "stage2 (16×16)" at screen 0.6570, 0.7305 center font ",10"
    set label "stage3 (8×8)" at screen 0.8765, 0.7305 center font ",10"
    set label "teacher" at screen 0.1067, 0.4716 right font ",10"
    # panel row=teacher col=input
    set lmargin at screen 0.1189
    set rmargin at screen 0.3171
    set bmargin at screen 0.2411
    set tmargin at screen 0.7021
    set xrange [-0.5:31.5]
    set yrange [31.5:-0.5]
    unset colorbox
    plot "attention-evidence-wrn16-bf16-inputs.dat" index 2 using 1:2:3:4:5 with rgbimage notitle
    unset label
    # panel row=teacher col=stage1
    set lmargin at screen 0.3384
    set rmargin at screen 0.5366
    set bmargin at screen 0.2411
    set tmargin at screen 0.7021
    set cbrange [0:0.0819]
    set colorbox user horizontal origin screen 0.3689, 0.0851 size screen 0.1372, 0.0355
    set cbtics 0, 0.04095 font ",8" format "%.2g"
    set xrange [-0.5:31.5]
    set yrange [31.5:-0.5]
    plot "attention-evidence-wrn16-bf16.dat" index 2 matrix with image notitle
    unset label
    # panel row=teacher col=stage2
    set lmargin at screen 0.5579
    set rmargin at screen 0.7561
    set bmargin at screen 0.2411
    set tmargin at screen 0.7021
    set cbrange [0:0.12]
    set colorbox user horizontal origin screen 0.5884, 0.0851 size screen 0.1372, 0.0355
    set cbtics 0, 0.06 font ",8" format "%.2g"
    set xrange [-0.5:15.5]
    set yrange [15.5:-0.5]
    plot "attention-evidence-wrn16-bf16.dat" index 6 matrix with image notitle
    unset label
    # panel row=teacher col=stage3
    set lmargin at screen 0.7774
    set rmargin at screen 0.9756
    set bmargin at screen 0.2411
    set tmargin at screen 0.7021
    set cbrange [0:0.264]
    set colorbox user horizontal origin screen 0.8079, 0.0851 size screen 0.1372, 0.0355
    set cbtics 0, 0.132 font ",8" format "%.2g"
    set xrange [-0.5:7.5]
    set yrange [7.5:-0.5]
    plot "attention-evidence-wrn16-bf16.dat" index 10 matrix with image notitle
    unset label
    
    unset multiplot
    set output
}
