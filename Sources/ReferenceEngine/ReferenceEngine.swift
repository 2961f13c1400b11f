// ReferenceEngine: placeholder until its issue lands.
