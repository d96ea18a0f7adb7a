using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Api;

/// <summary>
/// Tries a read again while its grain call fails transiently (<see cref="TransientClusterFailures"/>), with
/// doubling pauses, within <see cref="ApiOptions.TransientRetryBudget"/>; past it the failure reaches
/// <see cref="ApiExceptionHandler"/>, which answers 503 with <c>Retry-After</c>. Only GET and HEAD are
/// tried again: they change nothing, and their handlers read no body that a first try would have used up.
/// </summary>
public sealed partial class TransientRetryFilter(IOptions<ApiOptions> options, TimeProvider time, ILogger<TransientRetryFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            return await next(context);
        }

        var started = time.GetTimestamp();
        var delay = options.Value.TransientRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await next(context);
            }
            catch (Exception ex) when (TransientClusterFailures.IsTransient(ex)
                && time.GetElapsedTime(started) + delay <= options.Value.TransientRetryBudget
                && !context.HttpContext.RequestAborted.IsCancellationRequested)
            {
                LogRetrying(logger, request.Path, attempt, ex.GetType().Name);
                await Task.Delay(delay, time, context.HttpContext.RequestAborted);
                delay *= 2;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "GET {Path} failed transiently (attempt {Attempt}: {Failure}); trying again")]
    private static partial void LogRetrying(ILogger logger, PathString path, int attempt, string failure);
}
