# blind: correct
# family: loops
import torch
from torch import nn


class HierarchicalAttention(nn.Module):
    """Document by document, sentence by sentence, softmax only over the real positions."""

    def __init__(self, vocab_size, d_model, attn_dim, num_classes):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, d_model)
        self.word_proj = nn.Linear(d_model, attn_dim)
        self.word_context = nn.Linear(attn_dim, 1, bias=False)
        self.sent_proj = nn.Linear(d_model, attn_dim)
        self.sent_context = nn.Linear(attn_dim, 1, bias=False)
        self.classifier = nn.Linear(d_model, num_classes)

    @staticmethod
    def _pool(x, real, proj, context):
        weights = torch.zeros(x.shape[0], dtype=x.dtype, device=x.device)
        if real.any():
            u = torch.tanh(proj(x[real]))
            weights[real] = torch.softmax(context(u).squeeze(-1), dim=0)
        return weights @ x, weights

    def forward(self, ids, word_mask=None, sent_mask=None):
        b, s, w = ids.shape
        x = self.embedding(ids)
        wm = torch.ones(b, s, w, dtype=torch.bool, device=ids.device) if word_mask is None else word_mask
        sm = torch.ones(b, s, dtype=torch.bool, device=ids.device) if sent_mask is None else sent_mask
        alphas, betas, docs = [], [], []
        for i in range(b):
            sent_vecs, sent_alphas = [], []
            for j in range(s):
                vec, a = self._pool(x[i, j], wm[i, j], self.word_proj, self.word_context)
                sent_vecs.append(vec)
                sent_alphas.append(a)
            sv = torch.stack(sent_vecs)
            doc, beta = self._pool(sv, sm[i], self.sent_proj, self.sent_context)
            docs.append(doc)
            alphas.append(torch.stack(sent_alphas))
            betas.append(beta)
        return self.classifier(torch.stack(docs)), torch.stack(alphas), torch.stack(betas)
