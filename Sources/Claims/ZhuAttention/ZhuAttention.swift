// ZhuAttention: placeholder until its issue lands.
