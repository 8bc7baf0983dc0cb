// Placeholder: the launcher lands in the next commit.
export {};
