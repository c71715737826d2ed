"""pppflow: reproduce and audit palmoplantar pustulosis (PPP) studies from patient-level data.

Pure functions on polars frames, one module per pipeline stage. Nothing here reads config or
files except `pppflow.io`; the workflow scripts under `workflow_scripts/` do the I/O.
"""
