// OptimTests
