using BenchmarkDotNet.Running;

// dotnet run -c Release --project load-tests/FleetGrains.Benchmarks -- --filter '*'   (BenchmarkDotNet's own options)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
