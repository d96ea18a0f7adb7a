using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Api;

/// <summary>
/// Failures that are not the server's fault answered as what they are, in every environment: a request Kestrel
/// or parameter binding could not read (malformed chunked body, a query value of the wrong type) is its own
/// status, 400 or 413; a grain call that failed transiently (<see cref="TransientClusterFailures"/>) is 503
/// with <c>Retry-After</c>. Anything else stays a 500 (the default handler).
/// </summary>
public sealed partial class ApiExceptionHandler(IProblemDetailsService problems, IOptions<ApiOptions> options, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        int status;
        string title, detail;
        if (exception is BadHttpRequestException bad)
        {
            (status, title, detail) = (bad.StatusCode, "Bad request", bad.Message);
        }
        else if (TransientClusterFailures.IsTransient(exception))
        {
            var retryAfter = options.Value.RetryAfterHeader;
            LogUnavailable(logger, context.Request.Method, context.Request.Path, exception.GetType().Name, exception.Message);
            (status, title, detail) = (StatusCodes.Status503ServiceUnavailable, "Temporarily unavailable",
                $"The cluster is moving this resource (a silo left or joined: {exception.GetType().Name}); try again in {retryAfter} s.");
            context.Response.Headers.RetryAfter = retryAfter;
        }
        else
        {
            return false;
        }

        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: a grain call failed transiently ({Failure}: {Message})")]
    private static partial void LogUnavailable(ILogger logger, string method, PathString path, string failure, string message);
}
