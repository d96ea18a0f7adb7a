using Amqp.Listener;

namespace FleetGrains.EventHubsDouble;

/// <summary>
/// The <c>$cbs</c> node: a put-token with a good shared access signature, or with a JWT access token of the Entra ID
/// the hub trusts (<see cref="HubState.TrustedIssuer"/>), grants its audience to the connection it came on (links may
/// then be attached there); anything else is answered 401 and grants nothing.
/// </summary>
public sealed class CbsNode(HubState hub) : IRequestProcessor
{
    public const string SasTokenType = "servicebus.windows.net:sastoken";
    public const string JwtTokenType = "jwt";

    public int Credit => 100;

    public void Process(RequestContext requestContext)
    {
        if (requestContext.ResponseLink is null)
        {
            return; // no reply link of the client's: the library rejected the request already
        }

        var request = requestContext.Message;
        var properties = request.ApplicationProperties;
        if (properties?["operation"] as string != "put-token" || properties["name"] is not string audience
            || !Uri.TryCreate(audience, UriKind.Absolute, out var audienceUri))
        {
            requestContext.Complete(RequestReplies.Status(400, "A put-token needs operation, name (the audience) and type."));
            return;
        }

        var problem = properties["type"] is SasTokenType or JwtTokenType
            ? hub.TokenProblem(request.Body as string)
            : $"'{properties["type"]}' tokens are not accepted here";
        if (problem is not null)
        {
            requestContext.Complete(RequestReplies.Status(401, $"Unauthorized: {problem}."));
            return;
        }

        hub.Grant(requestContext.Link.Session.Connection, audienceUri.AbsolutePath);
        requestContext.Complete(RequestReplies.Status(202, "Accepted"));
    }
}
