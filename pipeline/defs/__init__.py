"""The thin Dagster layer: assets, checks, jobs, schedules and sensors. Wiring only; the work is done by
plain functions in pipeline.fetch, pipeline.build, pipeline.reconcile and pipeline.publish."""
