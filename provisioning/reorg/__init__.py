"""Reorganisation plans (issue 12): merge units into one on an effective date, previewed, applied in
resumable batches through the people and unit services (so every change is dated, audited and sent to
the directory by the outbox), cancellable until applied. It sits above people and units because a plan
moves both."""
