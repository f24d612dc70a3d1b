Console.WriteLine("tokenctl");
