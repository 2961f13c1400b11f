// Shared helpers for the Datasets tests.
