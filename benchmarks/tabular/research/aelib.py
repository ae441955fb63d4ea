"""Stacked ("many small autoencoders at once") training that mirrors the library's dense autoencoder.

Each member m is an independent d_m -> h_m -> k_m -> h_m -> d_m network (Tanh after hidden layers, linear code and
output, PyTorch nn.Linear default init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases), trained with Adam
(lr 1e-3), batch 32, reshuffled every epoch, MSE loss (mean over the member's features and the batch rows). Members are
stacked into batched matmuls so that one Python step trains all of them; padding units/features are masked to zero so
every member computes exactly its own network (masked parameters get zero gradients, and Adam leaves them unchanged).
Adam is elementwise, so one Adam over the stacked tensors equals one Adam per member.

Only used for research (benchmarks/tabular/research); single CPU thread.
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import math
import numpy as np
import torch

torch.set_num_threads(1)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass

ROOT = "/tmp/autoencoders-tabular"


def load(name, seed):
    base = f"{ROOT}/{name}/seed{seed}/validation"
    tr = np.loadtxt(f"{base}/train.csv", delimiter=",", skiprows=1, dtype=np.float32)
    te = np.loadtxt(f"{base}/test.csv", delimiter=",", skiprows=1, dtype=np.float32)
    return tr[:, 1:], te[:, 1:], te[:, 0].astype(int)


def default_sizes(d):
    return min(max(2 * d, 16), 256), min(max(math.ceil(d / 4), 2), 64)


def member(seed, d, feats=None, h=None, k=None, sigma=0.0):
    """A member spec. feats: indices of the features it sees (None: all); h, k default from its own input size."""
    dm = d if feats is None else len(feats)
    h0, k0 = default_sizes(dm)
    return dict(seed=seed, feats=None if feats is None else np.sort(np.asarray(feats)), h=h or h0, k=k or k0, sigma=sigma)


class Stack:
    def __init__(self, specs, d, H=None, K=None):
        self.specs = specs
        M = len(specs)
        self.M, self.D = M, d
        self.H = H or max(s["h"] for s in specs)  # padded sizes (H, K: those of a larger stack to load a subset of)
        self.K = K or max(s["k"] for s in specs)
        fm = torch.zeros(M, d)
        hm = torch.zeros(M, self.H)
        km = torch.zeros(M, self.K)
        for i, s in enumerate(specs):
            if s["feats"] is None:
                fm[i] = 1
            else:
                fm[i, torch.as_tensor(s["feats"])] = 1
            hm[i, : s["h"]] = 1
            km[i, : s["k"]] = 1
        self.fm, self.hm, self.km = fm, hm, km
        self.dcount = fm.sum(1)  # features per member
        shapes = [(d, self.H), (self.H, self.K), (self.K, self.H), (self.H, d)]
        self.W = [torch.zeros(M, a, b) for a, b in shapes]
        self.b = [torch.zeros(M, b) for _, b in shapes]
        for i, s in enumerate(specs):
            g = torch.Generator().manual_seed(int(s["seed"]))
            dm = int(self.dcount[i])
            real = [(dm, s["h"]), (s["h"], s["k"]), (s["k"], s["h"]), (s["h"], dm)]
            for L, (fin, fout) in enumerate(real):
                bound = 1.0 / math.sqrt(fin)
                w = (torch.rand(fout, fin, generator=g) * 2 - 1) * bound  # nn.Linear weight layout (out, in)
                bb = (torch.rand(fout, generator=g) * 2 - 1) * bound
                # scatter into padded layout
                rin = torch.nonzero(fm[i]).flatten() if L == 0 else torch.arange(fin)
                rout = torch.nonzero(fm[i]).flatten() if L == 3 else torch.arange(fout)
                self.W[L][i][rin[:, None], rout[None, :]] = w.t()
                self.b[L][i][rout] = bb
        self.params = self.W + self.b
        for p in self.params:
            p.requires_grad_(True)
        self.sigma = torch.tensor([s["sigma"] for s in specs], dtype=torch.float32).view(M, 1, 1)

    def forward(self, x):
        """x: (M, B, D) -> (out, code)."""
        x = x * self.fm[:, None, :]
        a = torch.tanh(torch.baddbmm(self.b[0][:, None, :], x, self.W[0])) * self.hm[:, None, :]
        z = torch.baddbmm(self.b[1][:, None, :], a, self.W[1]) * self.km[:, None, :]
        a = torch.tanh(torch.baddbmm(self.b[2][:, None, :], z, self.W[2])) * self.hm[:, None, :]
        out = torch.baddbmm(self.b[3][:, None, :], a, self.W[3])
        return out, z

    def member_loss(self, x, out):
        e = (out - x) ** 2 * self.fm[:, None, :]
        return e.sum(2).mean(1) / self.dcount  # (M,)

    def state(self):
        return [p.detach().clone() for p in self.params]

    def load(self, st):
        with torch.no_grad():
            for p, s in zip(self.params, st):
                p.copy_(s)

    @torch.no_grad()
    def errors_codes(self, X, chunk=4096):
        """X (N, D) numpy -> per-feature squared errors (M, N, D) (zero on unseen features) and codes (M, N, K)."""
        E, Z = [], []
        for s in range(0, len(X), chunk):
            x = torch.from_numpy(X[s : s + chunk]).unsqueeze(0).expand(self.M, -1, -1)
            out, z = self.forward(x)
            E.append(((out - x) ** 2 * self.fm[:, None, :]).numpy())
            Z.append(z.numpy())
        return np.concatenate(E, 1), np.concatenate(Z, 1)


def train(X, specs, epochs=100, snapshots=(), holdout=0.0, patience=10, batch=32, lr=1e-3, group_seed=0,
          max_epochs=None):
    """Trains the stacked members on X (N, D) float32.

    Returns (stack, snaps) where snaps maps epoch -> parameter state for each epoch in snapshots, and, with holdout > 0,
    'best' -> the per-member best-validation state (early stopping with patience; stops when every member stopped),
    plus 'best_epoch' -> list of the kept epoch per member."""
    N, D = X.shape
    st = Stack(specs, D)
    M = st.M
    g = torch.Generator().manual_seed(10_000 + group_seed)
    Xt = torch.from_numpy(X)
    opt = torch.optim.Adam(st.params, lr=lr)
    nval = 0
    if holdout > 0:
        nval = min(max(int(round(N * holdout)), 1), N - 1)
    perms0 = torch.stack([torch.randperm(N, generator=g) for _ in range(M)])  # per-member split
    val_idx, tr_idx = perms0[:, :nval], perms0[:, nval:]
    ntr = N - nval
    snaps = {}
    best = torch.full((M,), float("inf"))
    best_ep = [0] * M
    stopped = torch.zeros(M, dtype=torch.bool)
    best_state = None
    ar = torch.arange(M)[:, None]
    n_ep = epochs if max_epochs is None else max_epochs
    for ep in range(1, n_ep + 1):
        order = torch.argsort(torch.rand(M, ntr, generator=g), dim=1)
        perm = torch.gather(tr_idx, 1, order)
        for s in range(0, ntr, batch):
            idx = perm[:, s : s + batch]
            xb = Xt[idx]  # (M, B, D)
            xin = xb + st.sigma * torch.randn(xb.shape, generator=g) if st.sigma.any() else xb
            out, _ = st.forward(xin)
            loss = st.member_loss(xb, out).sum()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        if ep in snapshots:
            snaps[ep] = st.state()
        if nval:
            with torch.no_grad():
                xv = Xt[val_idx]
                out, _ = st.forward(xv)
                vl = st.member_loss(xv, out)
            improved = (vl < best) & ~stopped
            if best_state is None:
                best_state = st.state()
            if improved.any():
                cur = st.state()
                for bs, c in zip(best_state, cur):
                    bs[improved] = c[improved]
                best[improved] = vl[improved]
                for i in torch.nonzero(improved).flatten().tolist():
                    best_ep[i] = ep
            for i in range(M):
                if not stopped[i] and ep - best_ep[i] >= patience:
                    stopped[i] = True
            if stopped.all():
                break
    if nval:
        snaps["best"] = best_state
        snaps["best_epoch"] = best_ep
    snaps["final"] = st.state()
    return st, snaps
