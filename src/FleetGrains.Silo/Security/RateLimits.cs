using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Security;

/// <summary>
/// ASP.NET Core rate limiting per credential (an API key's id, a token's subject, the admin key; the client's address
/// before it signs in), in fixed windows, per silo: telemetry and the rest of the API have their own budgets. Over
/// budget is 429 with <c>Retry-After</c> (the rest of the window) and problem+json.
/// </summary>
public static class RateLimits
{
    public const string IngestPolicy = "ingest";
    public const string ApiPolicy = "api";

    public static IServiceCollection AddFleetRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((o, limits) =>
        {
            o.AddPolicy(IngestPolicy, context => Partition(context, limits.Value.IngestPerWindow, limits.Value.Window));
            o.AddPolicy(ApiPolicy, context => Partition(context, limits.Value.ApiPerWindow, limits.Value.Window));
            o.OnRejected = RejectAsync;
        });
        return services;
    }

    /// <summary>Who is counted: the same credential on every connection is one partition; before sign-in, the address.</summary>
    public static string Caller(HttpContext context) => context.User.Credential() ?? $"address:{context.Connection.RemoteIpAddress}";

    private static RateLimitPartition<string> Partition(HttpContext context, int permits, TimeSpan window) =>
        RateLimitPartition.GetFixedWindowLimiter(Caller(context), _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = window,
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var http = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = $"This credential has used its requests for this window ({RateLimitOptions.Section}); try again in {seconds} s.",
            },
        });
    }
}
