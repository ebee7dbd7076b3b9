pub mod shell_init;
