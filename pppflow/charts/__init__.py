"""Charts of one cohort's results, built with altair from the stage outputs.

One module per chart, each with a ``build(frames, settings)`` that the workflow calls, and
``registry`` listing them all: what the workflow makes of a chart (its files, its caption in the
report, which cohorts get it) follows from its registry entry.

Pure: frames and plain values in, an altair chart out; nothing here reads config or files. Each
chart has a ``*_frame`` function that shapes (and, for the charts that summarise, aggregates) its
data in polars, so a chart carries one row per thing it draws: a patient where it draws patients,
an endpoint or a grade pair where it summarises. The size of the spec then follows what the chart
shows, not the number of patients behind it.

Nothing is imported here: the workflow reads the registry while it plans, and that must not
load altair.
"""
