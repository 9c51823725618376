"""AI coach: diagnoses runs and proposes one improved, runnable experiment."""
