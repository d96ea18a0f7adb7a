using System.Text.RegularExpressions;
using Amqp;
using Amqp.Framing;
using Amqp.Listener;
using Amqp.Types;

namespace FleetGrains.EventHubsDouble;

/// <summary>
/// Attaches of receivers (<c>/{hub}/ConsumerGroups/{group}/Partitions/{p}</c>) and senders (<c>/{hub}</c>,
/// <c>/{hub}/Partitions/{p}</c>): the entity must exist and a put-token on the connection must cover it; receivers
/// start where their selector filter says and follow the epoch rules; senders are told the largest message taken.
/// </summary>
public sealed partial class HubLinks(HubState hub, int maxMessageBytes) : ILinkProcessor
{
    private static readonly Symbol Epoch = new("com.microsoft:epoch");
    private static readonly Symbol ReceiverName = new("com.microsoft:receiver-name");

    public void Process(AttachContext attachContext)
    {
        var attach = attachContext.Attach;
        if (attach.Role)
        {
            AttachReceiver(attachContext, attach);
        }
        else
        {
            AttachSender(attachContext, attach);
        }
    }

    private void AttachReceiver(AttachContext attachContext, Attach attach)
    {
        var source = attach.Source as Source;
        var address = source?.Address ?? "";
        var match = ReceiverAddress().Match(address);
        if (!match.Success || !IsHub(match) || !hub.ConsumerGroups.Contains(match.Groups["group"].Value)
            || hub.Partition(match.Groups["partition"].Value) is not { } partition)
        {
            Refuse(attachContext, ErrorCode.NotFound, $"The messaging entity '{address}' could not be found.");
            return;
        }

        if (!hub.IsGranted(attachContext.Link.Session.Connection, address))
        {
            Refuse(attachContext, ErrorCode.UnauthorizedAccess, $"Unauthorized access. 'Listen' claim(s) are required to perform this operation on '{address}'.");
            return;
        }

        var (start, problem) = SelectorFilter.StartIndex(source, partition);
        if (problem is not null)
        {
            Refuse(attachContext, "com.microsoft:argument-error", problem);
            return;
        }

        long? epoch = attach.Properties?[Epoch] is { } value ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : null;
        var name = attach.Properties?[ReceiverName] as string ?? attach.LinkName;
        var runtimeMetric = attach.DesiredCapabilities?.Contains(PartitionReader.RuntimeMetric) == true;
        var reader = new PartitionReader(hub, attachContext.Link, match.Groups["group"].Value, partition, epoch, name, start, runtimeMetric);
        var (displaced, refusal) = hub.Open(reader);
        if (refusal is not null)
        {
            Refuse(attachContext, ErrorCode.Stolen, refusal);
            return;
        }

        foreach (var other in displaced)
        {
            other.Disconnect($"New receiver '{name}' with higher epoch of '{epoch}' is created hence current receiver '{other.Name}' with epoch '{other.Epoch}' is getting disconnected.");
        }

        attach.OfferedCapabilities = runtimeMetric ? [PartitionReader.RuntimeMetric] : null;
        attachContext.Complete(reader, 0);
        reader.Start();
    }

    private void AttachSender(AttachContext attachContext, Attach attach)
    {
        var address = (attach.Target as Target)?.Address ?? "";
        var match = SenderAddress().Match(address);
        PartitionLog? partition = null;
        if (!match.Success || !IsHub(match)
            || (match.Groups["partition"].Success && (partition = hub.Partition(match.Groups["partition"].Value)) is null))
        {
            Refuse(attachContext, ErrorCode.NotFound, $"The messaging entity '{address}' could not be found.");
            return;
        }

        if (!hub.IsGranted(attachContext.Link.Session.Connection, address))
        {
            Refuse(attachContext, ErrorCode.UnauthorizedAccess, $"Unauthorized access. 'Send' claim(s) are required to perform this operation on '{address}'.");
            return;
        }

        attach.MaxMessageSize = (ulong)maxMessageBytes;
        attachContext.Complete(new Publisher(hub, partition, maxMessageBytes), 100);
    }

    private bool IsHub(Match match) => string.Equals(match.Groups["hub"].Value, hub.Name, StringComparison.OrdinalIgnoreCase);

    private static void Refuse(AttachContext attachContext, string condition, string description) =>
        attachContext.Complete(new Error(new Symbol(condition)) { Description = description });

    [GeneratedRegex("^/?(?<hub>[^/]+)/ConsumerGroups/(?<group>[^/]+)/Partitions/(?<partition>[^/]+)$", RegexOptions.IgnoreCase)]
    private static partial Regex ReceiverAddress();

    [GeneratedRegex("^/?(?<hub>[^/]+)(/Partitions/(?<partition>[^/]+))?$", RegexOptions.IgnoreCase)]
    private static partial Regex SenderAddress();
}
