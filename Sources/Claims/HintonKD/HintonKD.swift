// HintonKD: placeholder until its issue lands.
