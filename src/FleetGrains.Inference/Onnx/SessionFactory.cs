using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace FleetGrains.Inference.Onnx;

/// <summary>
/// Creates the ONNX Runtime sessions of this silo with the configured execution provider. When that
/// provider cannot be loaded (not in this ONNX Runtime build, no driver, no GPU), it logs one warning,
/// counts it in <see cref="InferenceMetrics"/> and creates CPU sessions from then on; <see cref="Status"/>
/// tells health checks and model hosts which provider serves.
/// </summary>
public sealed partial class SessionFactory(IOptions<InferenceOptions> options, InferenceMetrics metrics, ILogger<SessionFactory> logger)
{
    private readonly InferenceOptions _options = options.Value;
    private readonly Lock _lock = new();
    private ProviderStatus? _status;

    /// <summary>
    /// A factory for code outside a silo (offline evaluation, benchmarks, the load tests' bare loop): CPU unless
    /// <paramref name="options"/> say otherwise, its own metrics, no log.
    /// </summary>
    public static SessionFactory Standalone(InferenceOptions? options = null)
    {
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        return new SessionFactory(Options.Create(options ?? new InferenceOptions()), new InferenceMetrics(meters), NullLogger<SessionFactory>.Instance);
    }

    /// <summary>The provider sessions use; the first look loads the configured provider to find out.</summary>
    public ProviderStatus Status => _status ?? Probe();

    public InferenceSession Create(string modelPath)
    {
        var status = Status;
        if (status.Active != ExecutionProvider.Cpu)
        {
            try
            {
                return CreateWith(modelPath, status.Active);
            }
            catch (Exception ex) when (IsProviderFailure(ex))
            {
                FallBack(ex);
            }
        }

        return CreateWith(modelPath, ExecutionProvider.Cpu);
    }

    private ProviderStatus Probe()
    {
        if (_options.ExecutionProvider != ExecutionProvider.Cpu)
        {
            try
            {
                using var probe = new SessionOptions();
                AppendProvider(probe, _options.ExecutionProvider);
            }
            catch (Exception ex) when (IsProviderFailure(ex))
            {
                FallBack(ex);
            }
        }

        lock (_lock)
        {
            return _status ??= new ProviderStatus(_options.ExecutionProvider, _options.ExecutionProvider, null);
        }
    }

    private InferenceSession CreateWith(string modelPath, ExecutionProvider provider)
    {
        var sessionOptions = new SessionOptions { IntraOpNumThreads = _options.IntraOpThreads, InterOpNumThreads = 1 };
        try
        {
            AppendProvider(sessionOptions, provider);
            return new InferenceSession(modelPath, sessionOptions);
        }
        finally
        {
            sessionOptions.Dispose();
        }
    }

    // TensorRT hands the operators it cannot compile to CUDA, so both are appended, in that order.
    private void AppendProvider(SessionOptions sessionOptions, ExecutionProvider provider)
    {
        if (provider == ExecutionProvider.TensorRt)
        {
            sessionOptions.AppendExecutionProvider_Tensorrt(_options.GpuDeviceId);
        }

        if (provider is ExecutionProvider.Cuda or ExecutionProvider.TensorRt)
        {
            sessionOptions.AppendExecutionProvider_CUDA(_options.GpuDeviceId);
        }
    }

    private void FallBack(Exception ex)
    {
        lock (_lock)
        {
            if (_status is { FellBack: true })
            {
                return;
            }

            var available = string.Join(", ", OrtEnv.Instance().GetAvailableProviders());
            var reason = $"{_options.ExecutionProvider} could not be loaded ({ex.GetType().Name}: {ex.Message}); this ONNX Runtime offers {available}";
            _status = new ProviderStatus(_options.ExecutionProvider, ExecutionProvider.Cpu, reason);
            metrics.RecordProviderFallback(_options.ExecutionProvider);
            LogFallback(logger, _options.ExecutionProvider, reason);
        }
    }

    // A provider that is missing from the build surfaces as a missing native entry point; one whose
    // libraries or device are missing surfaces as an ONNX Runtime error or a failed library load.
    private static bool IsProviderFailure(Exception ex) =>
        ex is EntryPointNotFoundException or DllNotFoundException or OnnxRuntimeException;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Execution provider {Provider} is not available; serving models on CPU. {Reason}")]
    private static partial void LogFallback(ILogger logger, ExecutionProvider provider, string reason);
}
