// Training: placeholder until its issue lands.
