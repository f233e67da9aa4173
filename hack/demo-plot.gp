# hack/demo-plot.gp -- the picture of what Gearbox did in the demo (docs/demo.png), from the table
# hack/demo.sh records every poll. Four panels over the same time axis, the policy's phases as
# background bands in each:
#   (a) the load: users (the metric the phases follow) and the jobs waiting in the queue;
#   (b) the replicas of each component (steps) between its phase's min and max (dashed);
#   (c) the app's CPU against its scale-up and scale-down thresholds;
#   (d) the worker's: the queue's backlog per worker replica and its oldest job's wait.
#
#   gnuplot -e "data='demo.tsv'; out='demo.png'; phases='Small Medium Large Enterprise'; \
#               components='app worker database redis'" hack/demo-plot.gp
#
# The table has a header row; the columns read here are t (seconds since the start), phase (the
# index in `phases`), users, backlog, jobWait, cpu, <component>_cur/_min/_max, and the thresholds
# of the storefront's rules app_up_cpu, app_down_cpu, worker_up_backlog, worker_down_backlog,
# worker_up_jobWait.

set terminal pngcairo size 1000,700 font "DejaVu Sans,9" linewidth 1.2
set output out
set datafile separator tab
set datafile columnheaders
set datafile missing "NaN"
set style fill solid 1.0 noborder
set grid xtics ytics lc rgb "#d0d0d0" lw 0.6
set key outside right top Left reverse samplen 2 width -2

# The bands: one colour per phase, from pale green (the smallest) to pale red (the largest).
band_colors = "0xd9efd9 0xfff1c4 0xffdcae 0xf6c3c3"
band_color(i) = (i >= 0 && i < words(band_colors)) ? int(word(band_colors, int(i) + 1)) : 0xffffff
# A band from the previous poll to this one, across the panel's whole height [lo:hi]: drawn as
# boxxyerror (x y xlow xhigh ylow yhigh colour), so that it works on a log axis too. Each reaches
# 1 s into the next, which is drawn over it: without the overlap, antialiasing leaves a seam.
prev_t = 0
band_from(t) = (p = prev_t, prev_t = t, p)
BANDS = "data using 't':(lo):(band_from(column('t'))):(column('t') + 1):(lo):(hi):(band_color(column('phase'))) \
  with boxxyerror lc rgb variable notitle"

# On a log axis, values below its bottom (an empty queue) are drawn on it rather than left out.
at_least(bottom, v) = (v < bottom) ? bottom : v

stats data using 't' nooutput
t_end = STATS_max
stats data using 'users' nooutput
users_top = 10 ** ceil(log10(STATS_max * 1.5))
replicas_top = 0
do for [c in components] {
  stats data using c.'_max' nooutput
  replicas_top = (STATS_max > replicas_top) ? STATS_max : replicas_top
}
replicas_top = ceil(replicas_top * 1.1) + 1
stats data using 'jobWait' nooutput
wait_top = (STATS_max * 1.2 > 20) ? ceil(STATS_max * 1.2) : 20

set xrange [0:t_end]
set multiplot layout 4,1 margins 0.08,0.83,0.07,0.94 spacing 0,0.03 \
  title "Gearbox demo: the storefront through its roadmap and back" font ",12"

# (a) the load
set ylabel "users / jobs waiting"
set logscale y
set format y "%.0s%c"
lo = 10; hi = users_top
set yrange [lo:hi]
set format x ""
prev_t = 0
plot @BANDS, \
  for [i = 1:words(phases)] NaN with boxes lc rgb band_color(i - 1) title word(phases, i), \
  data using 't':'users' with steps lw 2 lc rgb "#202020" title "users", \
  data using 't':(at_least(lo, column('backlog'))) with lines lw 1.5 lc rgb "#1f5fbf" \
    title "jobs waiting"
unset logscale y
set format y "%g"

# (b) the replicas against their bounds
set ylabel "replicas"
lo = 0; hi = replicas_top
set yrange [lo:hi]
prev_t = 0
plot @BANDS, \
  for [i = 1:words(components)] data using 't':word(components, i).'_cur' with steps lw 2 lc i \
    title word(components, i), \
  for [i = 1:words(components)] data using 't':word(components, i).'_min' with steps lw 1 dt 2 lc i notitle, \
  for [i = 1:words(components)] data using 't':word(components, i).'_max' with steps lw 1 dt 2 lc i notitle, \
  NaN with lines lw 1 dt 2 lc rgb "#606060" title "min / max"

# (c) the app's CPU against its thresholds
set ylabel "app CPU (% of request)"
lo = 0; hi = 160
set yrange [lo:hi]
prev_t = 0
plot @BANDS, \
  data using 't':'cpu' with lines lw 2 lc rgb "#c0392b" title "app CPU", \
  data using 't':'app_up_cpu' with lines lw 1.2 dt 2 lc rgb "#202020" title "scale up above", \
  data using 't':'app_down_cpu' with lines lw 1.2 dt 3 lc rgb "#202020" title "scale down below"

# (d) the worker's two scale-up rules against their thresholds: the jobs waiting per worker (left,
# log scale; its scale-down rule too) and the oldest job's wait in seconds (right)
set ylabel "jobs waiting per worker" tc rgb "#1f5fbf"
set y2label "oldest job's wait (s)" tc rgb "#8e44ad"
set format x "%g"
set xlabel "seconds since the start"
set logscale y
set format y "%.0s%c"
set ytics nomirror tc rgb "#1f5fbf"
set y2tics nomirror tc rgb "#8e44ad"
lo = 1; hi = 100000
set yrange [lo:hi]
set y2range [0:wait_top]
set key inside right top opaque box lc rgb "#a0a0a0" samplen 2 width 0
prev_t = 0
plot @BANDS, \
  data using 't':(column('worker_cur') > 0 ? at_least(lo, column('backlog') / column('worker_cur')) : NaN) \
    with lines lw 2 lc rgb "#1f5fbf" title "jobs waiting / worker", \
  data using 't':'worker_up_backlog' with lines lw 1.2 dt 2 lc rgb "#1f5fbf" title "scale up above", \
  data using 't':'worker_down_backlog' with lines lw 1.2 dt 3 lc rgb "#1f5fbf" title "scale down below", \
  data using 't':'jobWait' axes x1y2 with lines lw 2 lc rgb "#8e44ad" title "oldest job's wait", \
  data using 't':'worker_up_jobWait' axes x1y2 with lines lw 1.2 dt 2 lc rgb "#8e44ad" title "scale up above"

unset multiplot
