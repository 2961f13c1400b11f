// ZagoruykoAT: placeholder until its issue lands.
