// ModelsTests: tests arrive with the issue that builds the target.
