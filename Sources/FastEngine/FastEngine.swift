// FastEngine: placeholder until its issue lands.
