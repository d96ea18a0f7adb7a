using System.Reflection;
using BenchmarkDotNet.Attributes;
using FleetGrains.Benchmarks;

namespace FleetGrains.LoadTests.Tests;

/// <summary>Every micro-benchmark runs once (set-up, the benchmark, clean-up) so that the suite cannot rot; no timing is asserted.</summary>
public class MicroBenchmarkTests
{
    public static TheoryData<string> Benchmarks()
    {
        var data = new TheoryData<string>();
        foreach (var method in typeof(DecodeBenchmarks).Assembly.GetTypes().SelectMany(t => t.GetMethods()).Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null))
        {
            data.Add($"{method.DeclaringType!.Name}.{method.Name}");
        }

        return data;
    }

    [Fact]
    public void TheHotPathsAreAllCovered() =>
        Assert.Equal(
            ["BinaryDecodeBenchmarks.DecodeBinaryEvent", "BinaryDecodeBenchmarks.ParseWithGeneratedParser", "DecodeBenchmarks.DecodeNdjsonEvent", "DeviceWindowBenchmarks.RingBufferAppend", "DeviceWindowBenchmarks.StatisticsUpdate", "ScoringBenchmarks.OnnxAutoencoderBatchOf256PerRow", "ScoringBenchmarks.OnnxAutoencoderOneRow", "ScoringBenchmarks.StatisticalScoreWindow"],
            ((IEnumerable<object[]>)Benchmarks()).Select(row => (string)row[0]).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Benchmarks))]
    public void Benchmark_RunsOnce(string name)
    {
        var (typeName, methodName) = (name.Split('.')[0], name.Split('.')[1]);
        var type = typeof(DecodeBenchmarks).Assembly.GetTypes().Single(t => t.Name == typeName);
        var instance = Activator.CreateInstance(type)!;
        Invoke<GlobalSetupAttribute>(type, instance);
        try
        {
            var result = type.GetMethod(methodName)!.Invoke(instance, null);

            Assert.NotNull(result);
        }
        finally
        {
            Invoke<GlobalCleanupAttribute>(type, instance);
        }
    }

    private static void Invoke<TAttribute>(Type type, object instance) where TAttribute : Attribute
    {
        foreach (var method in type.GetMethods().Where(m => m.GetCustomAttribute<TAttribute>() is not null))
        {
            method.Invoke(instance, null);
        }
    }
}
