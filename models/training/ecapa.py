"""ECAPA-TDNN in SpeechBrain's module and state_dict layout (speechbrain/lobes/models/ECAPA_TDNN.py).

Only what VoxLab's importer reads is modelled: reflect "same" padding, conv -> ReLU -> BN blocks,
SE-Res2Net blocks, multi-layer feature aggregation, attentive statistics pooling with global context.
Inputs are [B, T, n_mels] features of equal length (no padding mask: training crops share one length).
"""
import torch
from torch import nn
import torch.nn.functional as F


class Conv1d(nn.Module):
    """SpeechBrain's Conv1d wrapper: the torch conv sits at `.conv`; "same" length via reflect padding."""

    def __init__(self, cin, cout, kernel_size, dilation=1):
        super().__init__()
        self.conv = nn.Conv1d(cin, cout, kernel_size, dilation=dilation)
        self.pad = dilation * (kernel_size - 1) // 2

    def forward(self, x):
        if self.pad:
            x = F.pad(x, (self.pad, self.pad), mode="reflect")
        return self.conv(x)


class BatchNorm1d(nn.Module):
    """SpeechBrain's BatchNorm1d wrapper: the torch norm sits at `.norm`."""

    def __init__(self, channels):
        super().__init__()
        self.norm = nn.BatchNorm1d(channels)

    def forward(self, x):
        return self.norm(x)


class TDNNBlock(nn.Module):
    def __init__(self, cin, cout, kernel_size, dilation=1):
        super().__init__()
        self.conv = Conv1d(cin, cout, kernel_size, dilation)
        self.norm = BatchNorm1d(cout)

    def forward(self, x):
        return self.norm(F.relu(self.conv(x)))  # ReLU before BN, as SpeechBrain does


class Res2NetBlock(nn.Module):
    def __init__(self, channels, kernel_size, dilation, scale=8):
        super().__init__()
        width = channels // scale
        self.blocks = nn.ModuleList(TDNNBlock(width, width, kernel_size, dilation) for _ in range(scale - 1))
        self.scale = scale

    def forward(self, x):
        chunks = torch.chunk(x, self.scale, dim=1)
        out = [chunks[0]]
        y = None
        for i, block in enumerate(self.blocks, start=1):
            y = block(chunks[i] if y is None else chunks[i] + y)
            out.append(y)
        return torch.cat(out, dim=1)


class SEBlock(nn.Module):
    def __init__(self, channels, se_channels):
        super().__init__()
        self.conv1 = Conv1d(channels, se_channels, 1)
        self.conv2 = Conv1d(se_channels, channels, 1)

    def forward(self, x):
        s = x.mean(dim=2, keepdim=True)
        return x * torch.sigmoid(self.conv2(F.relu(self.conv1(s))))


class SERes2NetBlock(nn.Module):
    def __init__(self, channels, kernel_size, dilation, se_channels=128, scale=8):
        super().__init__()
        self.tdnn1 = TDNNBlock(channels, channels, 1)
        self.res2net_block = Res2NetBlock(channels, kernel_size, dilation, scale)
        self.tdnn2 = TDNNBlock(channels, channels, 1)
        self.se_block = SEBlock(channels, se_channels)

    def forward(self, x):
        return x + self.se_block(self.tdnn2(self.res2net_block(self.tdnn1(x))))


def _mean_std(x, weights):
    mean = (weights * x).sum(dim=2)
    std = torch.sqrt(((weights * (x - mean.unsqueeze(2)) ** 2).sum(dim=2)).clamp(min=1e-12))
    return mean, std


class AttentiveStatisticsPooling(nn.Module):
    def __init__(self, channels, attention_channels):
        super().__init__()
        self.tdnn = TDNNBlock(channels * 3, attention_channels, 1)
        self.conv = Conv1d(attention_channels, channels, 1)

    def forward(self, x):
        frames = x.shape[2]
        mean, std = _mean_std(x, torch.full_like(x[:, :1], 1.0 / frames))
        context = torch.cat([x, mean.unsqueeze(2).expand_as(x), std.unsqueeze(2).expand_as(x)], dim=1)
        alpha = torch.softmax(self.conv(torch.tanh(self.tdnn(context))), dim=2)
        mean, std = _mean_std(x, alpha)
        return torch.cat([mean, std], dim=1).unsqueeze(2)


class ECAPA_TDNN(nn.Module):
    def __init__(self, input_size=80, channels=(256, 256, 256, 256, 768), kernel_sizes=(5, 3, 3, 3, 1),
                 dilations=(1, 2, 3, 4, 1), attention_channels=64, lin_neurons=192):
        super().__init__()
        self.blocks = nn.ModuleList([TDNNBlock(input_size, channels[0], kernel_sizes[0], dilations[0])])
        for i in range(1, len(channels) - 1):
            self.blocks.append(SERes2NetBlock(channels[i], kernel_sizes[i], dilations[i]))
        self.mfa = TDNNBlock(sum(channels[1:-1]), channels[-1], kernel_sizes[-1], dilations[-1])
        self.asp = AttentiveStatisticsPooling(channels[-1], attention_channels)
        self.asp_bn = BatchNorm1d(channels[-1] * 2)
        self.fc = Conv1d(channels[-1] * 2, lin_neurons, 1)

    def forward(self, feats):
        """[B, T, n_mels] -> [B, 1, lin_neurons], as SpeechBrain returns it (no normalisation)."""
        x = feats.transpose(1, 2)
        outputs = []
        for block in self.blocks:
            x = block(x)
            outputs.append(x)
        x = self.mfa(torch.cat(outputs[1:], dim=1))
        return self.fc(self.asp_bn(self.asp(x))).transpose(1, 2)
