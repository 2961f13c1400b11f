// Optim: placeholder until its issue lands.
