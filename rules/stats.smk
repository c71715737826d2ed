# Stage: stats. Rules are added by the issue that builds this stage.
